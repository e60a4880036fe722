import { parseArgs } from 'node:util';
import { quote, UsageError } from '../harness/errors.js';
import { parseByteRate, parseDurationMs, parseSize } from '../harness/units.js';

/** One `--name value` parameter of a workload; `description` feeds `isobench workload --help`. */
export interface ParamSpec {
  type: 'string' | 'boolean';
  description: string;
  default?: string;
}

export type ParamSpecs = Record<string, ParamSpec>;
export type ParamValues = Record<string, string | boolean | undefined>;

/** Every workload accepts these: `--duration` stops it like SIGTERM (for `isobench exec` and tests). */
export const COMMON_PARAMS: ParamSpecs = {
  duration: {
    type: 'string',
    description: 'stop by itself after this long (default: run until SIGTERM)',
    default: '0',
  },
};

/** Strict parse: an unknown option, a missing value or a positional is a UsageError quoting it. */
export function parseParams(what: string, argv: string[], specs: ParamSpecs): ParamValues {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string }> = {};
  for (const [name, spec] of Object.entries({ ...COMMON_PARAMS, ...specs })) {
    options[name] =
      spec.default === undefined ? { type: spec.type } : { type: spec.type, default: spec.default };
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${what}: ${(err as Error).message} (args: ${quote(argv.join(' '))})`,
      {
        cause: err,
      },
    );
  }
}

export function str(values: ParamValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(values: ParamValues, name: string): boolean {
  return values[name] === true;
}

export function intParam(what: string, values: ParamValues, name: string, min: number, max: number): number {
  const text = str(values, name) ?? '';
  const n = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${what}: --${name} expects an integer ${min}..${max}, got ${quote(text)}`,
    );
  }
  return n;
}

export function numParam(what: string, values: ParamValues, name: string, min: number, max: number): number {
  const text = str(values, name) ?? '';
  const n = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${what}: --${name} expects a number ${min}..${max}, got ${quote(text)}`,
    );
  }
  return n;
}

export function sizeParam(what: string, values: ParamValues, name: string): number {
  return parseSize(str(values, name) ?? '', `${what} --${name}`);
}

export function byteRateParam(what: string, values: ParamValues, name: string): number {
  return parseByteRate(str(values, name) ?? '', `${what} --${name}`);
}

export function durationParam(what: string, values: ParamValues, name: string): number {
  return parseDurationMs(str(values, name) ?? '', `${what} --${name}`);
}

export function choiceParam<T extends string>(
  what: string,
  values: ParamValues,
  name: string,
  choices: readonly T[],
): T {
  const text = str(values, name) ?? '';
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${what}: --${name} expects one of ${choices.join('|')}, got ${quote(text)}`,
    );
  }
  return text as T;
}

export function requiredParam(what: string, values: ParamValues, name: string): string {
  const text = str(values, name);
  if (text === undefined || text === '') {
    throw new UsageError('ISOBENCH_MISSING_PARAM', `${what}: --${name} is required`);
  }
  return text;
}

/** `--intensity 0..100`, shared by all antagonists. */
export const INTENSITY_PARAM: ParamSpec = {
  type: 'string',
  description: 'percent 0..100 (meaning per antagonist; default 100)',
  default: '100',
};

export function intensityParam(what: string, values: ParamValues): number {
  return numParam(what, values, 'intensity', 0, 100);
}
