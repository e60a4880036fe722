/**
 * The zod mirror of measure.ts: a cgroup's figures over a window, and how a trial was measured
 * (results.json and trials.jsonl); schema.ts checks that the two agree.
 */
import { z } from 'zod';

const num = z.number();
const nullableNum = z.number().nullable();

const psiSchema = z.strictObject({ someTotalUs: num, fullTotalUs: nullableNum }).meta({ id: 'IsobenchPsi' });

export const cgroupWindowSchema = z
  .strictObject({
    cpuUsageUs: nullableNum,
    cpuThrottledUs: nullableNum,
    memoryPeakBytes: nullableNum,
    oomKills: nullableNum,
    ioReadBytes: nullableNum,
    ioWriteBytes: nullableNum,
    ioReadOps: nullableNum,
    ioWriteOps: nullableNum,
    pidsPeak: nullableNum,
    psi: z
      .strictObject({ cpu: psiSchema.nullable(), memory: psiSchema.nullable(), io: psiSchema.nullable() })
      .nullable(),
  })
  .meta({ id: 'IsobenchCgroupWindow' });

const guardCheckSchema = z.strictObject({
  name: z.enum(['lateSends', 'foreignCpu', 'steal', 'loopDelay']),
  value: nullableNum,
  limit: num,
  ok: z.boolean(),
});

export const trialMeasureSchema = z.strictObject({
  window: z.strictObject({ startEpochMs: num, endEpochMs: num }),
  loadgen: cgroupWindowSchema.nullable(),
  harnessCpuUs: nullableNum,
  stealUs: nullableNum,
  lateSendFraction: nullableNum,
  maxLateMs: nullableNum,
  loopDelayP99Ms: nullableNum,
  harnessCpus: z.string().nullable(),
  loadgenCpuWeight: nullableNum.optional(),
  dirtyBytesAtStart: nullableNum,
  quietWaitMs: nullableNum,
  busyCoresAtStart: nullableNum,
  stepsMs: z.record(z.string(), num).optional(),
  guards: z.array(guardCheckSchema),
  attempt: z.int().positive(),
});
