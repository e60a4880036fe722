/**
 * The scenarios `profile` and `predict --validate` run, derived from a user's scenario: the
 * container exactly as written there (workload, params, load, limits), next to the shipped
 * antagonists, as ordinary containers, phases and cells, so that the runner, its guards and the
 * analysis are the same as for `isobench run`. Pure: a parsed YAML document in, a scenario
 * document out (written as JSON, which the scenario parser reads as YAML).
 */
import { quote, UsageError } from '../errors.js';
import { RESOURCES, type Resource } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Each antagonist as the Isolation Benchmark Suite scenario runs it (scenarios/ibs-victim-aggressor.yaml),
 * its `intensity` set per cell. memory churns (allocates, touches and frees 1 GiB at 100%: the
 * dial scales the bytes per cycle, so it is a capacity dial); io writes 16 KiB blocks with O_DSYNC
 * (v1 blkio throttles only synchronous IO, and buffered writes would hit the page cache, not the
 * disk); fork spawns up to 200/s under pids.max 64; cpu spins 2 threads for intensity% of 10 ms.
 */
export const ANTAGONIST_DEFS: Record<Resource, { workload: string; params: Obj; limits: Obj }> = {
  cpu: { workload: 'cpu', params: { threads: 2 }, limits: { 'cpu.weight': 100 } },
  memory: { workload: 'memory', params: { mode: 'churn', size: '1GiB' }, limits: { 'memory.max': '2GiB' } },
  io: { workload: 'io', params: { mode: 'randwrite', sync: true, 'block-size': '16KiB' }, limits: {} },
  fork: { workload: 'fork', params: { rate: 200 }, limits: { 'pids.max': 64 } },
};

export const antagonistName = (r: Resource) => `ant-${r}`;
export const cellName = (intensity: number) => `i${intensity}`;
export const SOLO_PHASE = 'solo';
export const withPhase = (r: Resource) => `with-${antagonistName(r)}`;
export const alonePhase = (r: Resource) => `${antagonistName(r)}-alone`;

/** Run-level fields carried over from the user's scenario: how trials are timed and guarded. */
const CARRIED = ['duration', 'warmup', 'sampleInterval', 'repetitions', 'guards', 'harness', 'seed'] as const;

export function containerOf(doc: unknown, name: string, file: string): Obj {
  const containers = isObj(doc) && isObj(doc.containers) ? doc.containers : {};
  const c = containers[name];
  if (!isObj(c)) {
    throw new UsageError(
      'ISOBENCH_PROFILE_CONTAINER',
      `${file}: no container ${quote(name)} (containers: ${Object.keys(containers).join(', ') || 'none'})`,
    );
  }
  return structuredClone(c);
}

export function parseResources(text: string): Resource[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(RESOURCES as readonly string[]).includes(n)) {
      throw new UsageError(
        'ISOBENCH_USAGE',
        `--antagonists: expected a list of ${RESOURCES.join(', ')}, got ${quote(n)}`,
      );
    }
  }
  if (names.length === 0) throw new UsageError('ISOBENCH_USAGE', '--antagonists: the list is empty');
  return [...new Set(names)] as Resource[];
}

export function parseIntensities(text: string): number[] {
  const values = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const n = Number(s.replace(/%$/, ''));
      if (!Number.isFinite(n) || n < 0 || n > 100) {
        throw new UsageError('ISOBENCH_USAGE', `--intensities: expected percents 0..100, got ${quote(s)}`);
      }
      return n;
    });
  if (values.length === 0) throw new UsageError('ISOBENCH_USAGE', '--intensities: the list is empty');
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * Phases per intensity cell: the container solo (its baseline in the same repetition block), the
 * container next to each antagonist, and each antagonist alone (its footprint at that intensity).
 * One cell per intensity, every antagonist's `intensity` set to it (each phase runs one antagonist).
 */
export function deriveProfileScenario(opts: {
  doc: unknown;
  file: string;
  container: string;
  antagonists: readonly Resource[];
  intensities: readonly number[];
}): Obj {
  const { doc, file, container, antagonists, intensities } = opts;
  const target = containerOf(doc, container, file);
  if (antagonists.some((r) => antagonistName(r) === container)) {
    throw new UsageError(
      'ISOBENCH_PROFILE_CONTAINER',
      `${file}: container name ${quote(container)} is taken by an antagonist`,
    );
  }
  // The profiled container is measured, never an aggressor of its own profile.
  delete target.aggressor;
  const containers: Obj = { [container]: target };
  for (const r of antagonists) {
    const d = ANTAGONIST_DEFS[r];
    containers[antagonistName(r)] = {
      workload: d.workload,
      params: { ...d.params, intensity: intensities[0] ?? 100 },
      limits: { ...d.limits },
      aggressor: true,
    };
  }
  return {
    ...carried(doc),
    name: `profile-${container}`,
    description: `isobench profile of ${container} from ${file}: next to ${antagonists.join(', ')} at intensities ${intensities.join(', ')}`,
    containers,
    phases: [
      { name: SOLO_PHASE, kind: 'solo', containers: [container] },
      ...antagonists.map((r) => ({
        name: withPhase(r),
        kind: 'colocated',
        containers: [container, antagonistName(r)],
      })),
      ...antagonists.map((r) => ({ name: alonePhase(r), kind: 'solo', containers: [antagonistName(r)] })),
    ],
    cells: intensities.map((i) => ({
      name: cellName(i),
      set: Object.fromEntries(
        antagonists.map((r) => [`containers.${antagonistName(r)}.params.intensity`, i]),
      ),
    })),
  };
}

/** The real pair for `predict --validate`: both containers as the scenario writes them, solo and together. */
export function deriveValidationScenario(opts: {
  doc: unknown;
  file: string;
  pair: readonly [string, string];
}): Obj {
  const { doc, file, pair } = opts;
  const [a, b] = pair;
  if (a === b) throw new UsageError('ISOBENCH_USAGE', `predict: both profiles are of container ${quote(a)}`);
  const containers: Obj = {};
  for (const n of pair) {
    const c = containerOf(doc, n, file);
    delete c.aggressor;
    containers[n] = c;
  }
  return {
    ...carried(doc),
    name: `validate-${a}-${b}`,
    description: `isobench predict --validate: ${a} and ${b} from ${file}, solo and co-located`,
    containers,
    phases: [
      { name: `solo-${a}`, kind: 'solo', containers: [a] },
      { name: `solo-${b}`, kind: 'solo', containers: [b] },
      { name: 'colocated', kind: 'colocated', containers: [a, b] },
    ],
  };
}

function carried(doc: unknown): Obj {
  if (!isObj(doc)) return {};
  return Object.fromEntries(
    CARRIED.filter((k) => doc[k] !== undefined).map((k) => [k, structuredClone(doc[k])]),
  );
}
