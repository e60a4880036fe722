/**
 * The short torture (npm run torture is the long one): a few kills and signals at random instants,
 * every malformed scenario, the cheap hostile cases. Asserts on counts: leaks, corrupt lines,
 * hangs, refusals. About 60 s here.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { itWhen, missingRoot } from '../testing/support.js';
import { sumLeaks } from './kills.js';
import { NO_LEAKS } from './leaks.js';
import { formatReport, torture } from './torture.js';

const test = itWhen(missingRoot());
const here = dirname(fileURLToPath(import.meta.url));

describe('npm run torture, short', () => {
  test('kills, signals, bad inputs and hostile cases leave nothing and are refused or survived as wanted', async () => {
    const log: string[] = [];
    const r = await torture({
      kills: 2,
      sigints: 1,
      sigterms: 1,
      bad: true,
      hostile: true,
      quickHostile: true,
      containment: false,
      seed: 16,
      scenarioDir: join(here, '../../scenarios'),
      base: '/var/tmp',
      log: (l) => log.push(l),
    });
    const text = `${log.join('\n')}\n${formatReport(r)}`;
    expect(r.calibration?.exit, text).toBe(0);
    expect(r.hits).toHaveLength(4);
    expect(sumLeaks(r.hits), text).toEqual(NO_LEAKS);
    expect(r.hits.filter((h) => h.hang || h.corruptLines > 0)).toEqual([]);
    expect(r.hits.filter((h) => h.report.startsWith('exit'))).toEqual([]);
    expect(r.bad.length).toBeGreaterThanOrEqual(60);
    expect(
      r.bad.filter((b) => !b.ok).map((b) => `${b.name} (${b.from}): exit ${b.exit} ${b.firstLine}`),
    ).toEqual([]);
    expect(r.hostile.map((c) => c.name)).toHaveLength(3);
    expect(r.hostile.filter((c) => !c.ok).map((c) => `${c.name}: ${c.what}`)).toEqual([]);
  }, 180_000);
});
