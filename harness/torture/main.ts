#!/usr/bin/env node
/**
 * `npm run torture [-- --kills N --sigints N --sigterms N --seed N --no-bad --no-hostile
 * --no-containment]`: the counts by default (100 kills, 20 SIGINTs, 20 SIGTERMs). Exit 0
 * when every figure is as wanted (0 leaks, 0 corrupt lines, 0 hangs, every bad input refused,
 * every case ok), 1 otherwise. Needs root (it runs isobench as root, mounts small tmpfs).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sumLeaks } from './kills.js';
import { totalLeaks } from './leaks.js';
import { formatReport, torture } from './torture.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    sigints: { type: 'string', default: '20' },
    sigterms: { type: 'string', default: '20' },
    seed: { type: 'string' },
    base: { type: 'string', default: '/var/tmp' },
    'no-bad': { type: 'boolean', default: false },
    'no-hostile': { type: 'boolean', default: false },
    'no-containment': { type: 'boolean', default: false },
  },
});
const count = (v: string | undefined, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`torture: --${name}: expected a count, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
};
if (process.getuid?.() !== 0) {
  process.stderr.write('torture: needs root (isobench run as root, tmpfs mounts)\n');
  process.exit(2);
}
const report = await torture({
  kills: count(values.kills, 'kills'),
  sigints: count(values.sigints, 'sigints'),
  sigterms: count(values.sigterms, 'sigterms'),
  seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : count(values.seed, 'seed'),
  bad: !values['no-bad'],
  hostile: !values['no-hostile'],
  containment: !values['no-containment'],
  scenarioDir: join(dirname(fileURLToPath(import.meta.url)), '../../../scenarios'),
  base: values.base as string,
  log: (l) => process.stdout.write(`${l}\n`),
});
process.stdout.write(formatReport(report));
const good =
  totalLeaks(sumLeaks(report.hits)) === 0 &&
  report.hits.every((h) => h.corruptLines === 0 && !h.hang) &&
  report.bad.every((b) => b.ok) &&
  [...report.hostile, ...report.containment].every((c) => c.ok);
process.stdout.write(good ? '\nall as wanted\n' : '\nNOT all as wanted (see above)\n');
process.exitCode = good ? 0 : 1;
