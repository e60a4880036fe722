/**
 * Malformed scenarios made from the shipped ones (scenarios/*.yaml): each kind of mutation is
 * applied to three of them, so that every shipped file and every kind is exercised.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

export interface BadInput {
  name: string;
  from: string;
  text: string;
}

type Doc = Record<string, unknown>;
type Container = Record<string, unknown> & { limits?: Record<string, unknown> };

const firstContainer = (d: Doc): [string, Container] => {
  const cs = d.containers as Record<string, Container>;
  const name = Object.keys(cs)[0] as string;
  return [name, cs[name] as Container];
};
const withLimit = (d: Doc, key: string, value: unknown) => {
  const [, c] = firstContainer(d);
  c.limits = { ...(c.limits ?? {}), [key]: value };
};
const phases = (d: Doc) => d.phases as Record<string, unknown>[];

const bomb = (levels: number) =>
  [
    'laughs:',
    `  l0: &l0 [${Array(10).fill('lol').join(', ')}]`,
    ...Array.from(
      { length: levels },
      (_, i) => `  l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`,
    ),
  ].join('\n');

/** Mutations of the parsed document, serialized again. */
const DATA: [string, (d: Doc) => void][] = [
  ['type: repetitions is a string', (d) => (d.repetitions = 'many')],
  ['type: containers is a list', (d) => (d.containers = ['web', 'db'])],
  ['unit: duration in parsecs', (d) => (d.duration = '3parsecs')],
  ['unit: memory.max in furlongs', (d) => withLimit(d, 'memory.max', '2furlongs')],
  ['unknown top-level key', (d) => (d.durration = '3s')],
  ['unknown container key', (d) => (firstContainer(d)[1].limitz = { 'cpu.weight': 100 })],
  ['phase names a missing container', (d) => (phases(d)[0] = { ...phases(d)[0], containers: ['nosuch'] })],
  ['two phases of one name', (d) => phases(d).push({ ...phases(d)[0] })],
  ['impossible limit: cpuset CPUs this host lacks', (d) => (firstContainer(d)[1].cpuset = '0-999')],
  ['impossible limit: memory.max of 4 KiB', (d) => withLimit(d, 'memory.max', '4KiB')],
  ['impossible limit: pids.max 0', (d) => withLimit(d, 'pids.max', 0)],
  [
    'path escapes: ioPath that does not exist',
    (d) => (firstContainer(d)[1].ioPath = '../../../../no/such/dir'),
  ],
  ['huge number: repetitions 1e300', (d) => (d.repetitions = 1e300)],
  ['huge number: duration of 10^20 s', (d) => (d.duration = '100000000000000000000s')],
  ['huge number: pids.max 10^20', (d) => withLimit(d, 'pids.max', '100000000000000000000')],
  ['negative repetitions', (d) => (d.repetitions = -3)],
  [
    'unicode container name',
    (d) => {
      const [name, c] = firstContainer(d);
      (d.containers as Record<string, unknown>)[`${name}\u00e9\u2603`] = c;
    },
  ],
  ['zero-width space in a key', (d) => (d['dura\u200btion'] = '1s')],
  ['phases is null', (d) => (d.phases = null)],
];

/** Mutations of the text itself (what a parse-and-serialize cannot express). */
const TEXT: [string, (t: string) => string][] = [
  ['empty file', () => ''],
  ['duplicate key', (t) => t.replace(/^name: .*$/m, (m) => `${m}\n${m}`)],
  ['billion laughs (YAML aliases)', (t) => `${t}\n${bomb(9)}\n`],
  ['tab indentation', (t) => t.replace(/^ {2}(\S)/m, '\t$1')],
  ['binary garbage', () => '\u0000\u0001\u0002\uFFFD\u0007: [\u0000'],
  ['unclosed flow mapping', (t) => t.replace(/\}/, '')],
];

export function badInputs(scenarioDir: string): BadInput[] {
  const files = readdirSync(scenarioDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const sources = files.map((f) => ({ f, text: readFileSync(join(scenarioDir, f), 'utf8') }));
  const kinds: [string, (text: string) => string][] = [
    ...DATA.map(([name, m]): [string, (t: string) => string] => [
      name,
      (t) => {
        const d = parse(t) as Doc;
        m(d);
        return stringify(d);
      },
    ]),
    ...TEXT,
  ];
  const out: BadInput[] = [];
  kinds.forEach(([name, mutate], k) => {
    for (const j of [0, 2, 4]) {
      const src = sources[(k + j) % sources.length];
      if (src) out.push({ name, from: src.f, text: mutate(src.text) });
    }
  });
  return out;
}
