/** Parts of the scenario schema about how trials are run: durations, guards, the harness's CPUs. */
import { z } from 'zod';
import { parseDurationMs } from '../units.js';
import { quoteValue } from './issues.js';

const DURATION_HINT = 'a duration such as 500ms, 10s or 2m';

/**
 * The longest duration a scenario may give (24 h): longer is a typo, and Node's timers fire at once
 * past 2^31-1 ms (24.8 days), so `duration: 100000000000000000000s` ran trials that never ended
 * (found by npm run torture).
 */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** A duration as a string with a unit, or a bare number of seconds. */
export const duration = z
  .union([z.string(), z.number()], {
    error: (iss) => `expected ${DURATION_HINT}, got ${quoteValue(iss.input)}`,
  })
  .superRefine((value, ctx) => {
    try {
      if (parseDurationMs(String(value)) > MAX_DURATION_MS)
        ctx.addIssue({
          code: 'custom',
          message: `expected at most 24h, got ${quoteValue(value)}`,
          input: value,
        });
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${DURATION_HINT}, got ${quoteValue(value)}`,
        input: value,
      });
    }
  });

/**
 * The shortest measured part of a trial: 1ms. Its load is scheduled over it, and the load
 * generator refuses a duration of 0 (an empty schedule) when the trial starts, so a scenario that
 * validated failed every trial at run time.
 */
export const MIN_TRIAL_DURATION_MS = 1;

/** A trial's measured duration: a duration of at least MIN_TRIAL_DURATION_MS. */
export const trialDuration = duration.superRefine((value, ctx) => {
  let ms: number;
  try {
    ms = parseDurationMs(String(value));
  } catch {
    return; // reported by `duration`
  }
  if (ms < MIN_TRIAL_DURATION_MS)
    ctx.addIssue({
      code: 'custom',
      message: `expected at least ${MIN_TRIAL_DURATION_MS}ms (the measured part of a trial cannot be empty), got ${quoteValue(value)}`,
      input: value,
    });
});

const cores = z.number().min(0);

/**
 * When a trial is not trusted (status `invalid`, left out of summaries, rerun once at the end of
 * its block), and how quiet the host must be before a trial starts. See the README's "What a
 * trial can be relied on for" and FORMAT.md's "Guards".
 */
export const guardsSchema = z
  .strictObject({
    lateSends: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe(
        "Invalid when more than this share of the load generators' sends were over 1 ms late (0.05 = 5%).",
      ),
    foreignCpu: cores
      .default(0.5)
      .describe(
        "Invalid when processes outside the trial's cgroups, isobench and its generators used more than this many cores on average over the window.",
      ),
    steal: cores
      .default(0.1)
      .describe('Invalid when the hypervisor stole more than this many cores on average (steal time).'),
    loopDelay: duration
      .default('50ms')
      .describe(
        "Invalid when a load generator's loop was delayed more than this (p99) during the window (the native engine: its timer wake-ups; --engine node: its event loop).",
      ),
    quietBelow: cores
      .default(0.5)
      .describe(
        'Before each trial, wait until processes outside the trial have used fewer than this many cores, and the hypervisor has stolen less than steal, for quietFor ...',
      ),
    quietFor: duration.default('250ms').describe('... this long ...'),
    quietWait: duration.default('10s').describe('... but at most this long (0s: do not wait).'),
  })
  .describe('When a trial is invalid, and how quiet the host must be before each trial.');

export const harnessSchema = z
  .strictObject({
    cpus: z
      .union([z.string(), z.number()])
      .optional()
      .describe(
        "CPUs reserved for isobench and its load generators (a cpuset list such as 3 or 2-3), kept out of every container's cpuset; default: the last CPU on hosts with 4 or more, none on smaller ones.",
      ),
  })
  .describe("Where isobench's own measuring tools run.");
