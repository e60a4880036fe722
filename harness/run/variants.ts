/**
 * `--variant NAME:PATH=VALUE` (repeatable): variants of one scenario, run interleaved. Several
 * `--variant` with the same NAME add settings to that variant; `--variant NAME` alone is the
 * scenario as written (the baseline of an A/B, or both sides of an A/A).
 */
import { quote, UsageError } from '../errors.js';

export interface Variant {
  name: string;
  set: string[];
}

const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

export function parseVariants(args: readonly string[]): Variant[] {
  const byName = new Map<string, Variant>();
  for (const arg of args) {
    const colon = arg.indexOf(':');
    const name = colon < 0 ? arg : arg.slice(0, colon);
    const setting = colon < 0 ? '' : arg.slice(colon + 1);
    if (!NAME_RE.test(name)) {
      throw new UsageError(
        'ISOBENCH_BAD_VARIANT',
        `--variant ${quote(arg)}: expected NAME or NAME:PATH=VALUE with NAME matching [a-z0-9][a-z0-9_-]*`,
      );
    }
    if (setting && !/^[^=]+=/.test(setting)) {
      throw new UsageError(
        'ISOBENCH_BAD_VARIANT',
        `--variant ${quote(arg)}: expected NAME:PATH=VALUE, such as b:containers.db.limits.io.max.wbps=5MiB`,
      );
    }
    const v = byName.get(name) ?? { name, set: [] };
    if (setting) v.set.push(setting);
    byName.set(name, v);
  }
  if (byName.size === 1) {
    throw new UsageError(
      'ISOBENCH_BAD_VARIANT',
      `--variant: give at least two variants to compare (got only ${quote([...byName.keys()][0])})`,
    );
  }
  return [...byName.values()];
}
