/** The zod mirror of doctor.ts (results.json `doctor`); schema.ts checks that the two agree. */
import { z } from 'zod';

const count = z.int().nonnegative();

export const doctorCheckSchema = z
  .strictObject({
    name: z.string(),
    title: z.string(),
    status: z.enum(['pass', 'fail', 'not-applicable']),
    expected: z.string(),
    measured: z.string().nullable(),
    tolerance: z.string().nullable(),
    reason: z.string(),
    attempts: z.int().positive(),
    firstAttempt: z.string().nullable(),
    figures: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
    durationMs: z.number(),
  })
  .meta({ id: 'IsobenchDoctorCheck' });

export const doctorRecordSchema = z
  .strictObject({
    startedAt: z.string(),
    durationMs: z.number(),
    set: z.enum(['quick', 'full', 'only']),
    host: z.strictObject({ kernel: z.string(), cgroupMode: z.string(), cpus: count }),
    io: z.strictObject({
      path: z.string(),
      device: z.string().nullable(),
      scheduler: z.string().nullable(),
      missing: z.string().nullable(),
    }),
    checks: z.array(doctorCheckSchema),
    summary: z.strictObject({ pass: count, fail: count, notApplicable: count }),
  })
  .meta({ id: 'IsobenchDoctor' });
