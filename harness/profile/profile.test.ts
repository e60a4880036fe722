import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORKLOAD_PARAMS } from '../../workloads/catalog.js';
import { parseScenario } from '../scenario/parse.js';
import {
  ANTAGONIST_DEFS,
  deriveProfileScenario,
  deriveValidationScenario,
  parseIntensities,
  parseResources,
} from './derive.js';
import { profileFromResults } from './extract.js';
import { predictSlowdown } from './predict.js';
import { renderPredictionHtml, renderProfileHtml } from './report.js';
import { predictionFileSchema, profileJsonSchema, profileJsonSchemaText, profileSchema } from './schema.js';
import { syntheticProfileRun } from './testutil.js';
import { PROFILE_SCHEMA_VERSION, type PredictionFile } from './types.js';

const committed = new URL('./profile.schema.json', import.meta.url);
const HOST = { cpus: '0-1', mems: '0' };

const SOURCE = {
  name: 'pair',
  duration: '3s',
  warmup: '1s',
  repetitions: 10,
  containers: {
    web: {
      workload: 'web',
      params: { mode: 'heap', 'working-set': '256MiB' },
      load: { rate: 1000, connections: 16 },
    },
    db: { workload: 'db', params: { engine: 'sqlite' } },
  },
  cells: [{ name: 'isolated', set: { 'containers.db.limits.cpu.weight': 100 } }],
};

function parse(doc: object) {
  return parseScenario(JSON.stringify(doc), {
    file: 'derived.yaml',
    overrides: {},
    host: HOST,
    workloadParams: WORKLOAD_PARAMS,
  });
}

describe('deriveProfileScenario', () => {
  it('plans one cell per intensity, solo + next to each antagonist + each antagonist alone, and the parser accepts it', () => {
    const doc = deriveProfileScenario({
      doc: SOURCE,
      file: 'pair.yaml',
      container: 'web',
      antagonists: ['cpu', 'io'],
      intensities: [0, 50, 100],
    });
    const sc = parse(doc);
    expect(sc.cells.map((c) => c.name)).toEqual(['i0', 'i50', 'i100']);
    expect(sc.phases.map((p) => p.name)).toEqual([
      'solo',
      'with-ant-cpu',
      'with-ant-io',
      'ant-cpu-alone',
      'ant-io-alone',
    ]);
    expect(sc.repetitions).toBe(10);
    expect(sc.cells[0]?.durationMs).toBe(3000);
    // Each cell gives every antagonist its intensity; the container is as the source wrote it (no cell overlay).
    expect(sc.cells.map((c) => c.settings)).toEqual(
      [0, 50, 100].map((i) => ({
        'containers.ant-cpu.params.intensity': i,
        'containers.ant-io.params.intensity': i,
      })),
    );
    expect(sc.cells[1]?.containers['ant-cpu']?.aggressor).toBe(true);
    expect(sc.cells[1]?.containers.web?.aggressor).toBe(false);
    expect(sc.cells[1]?.containers.web?.limits).toEqual({});
    expect(Object.keys(sc.cells[0]?.containers ?? {}).sort()).toEqual(['ant-cpu', 'ant-io', 'web']);
    expect(ANTAGONIST_DEFS.memory.params.mode).toBe('churn');
  });

  it('refuses a container the scenario lacks, naming the ones it has', () => {
    expect(() =>
      deriveProfileScenario({
        doc: SOURCE,
        file: 'pair.yaml',
        container: 'cache',
        antagonists: ['cpu'],
        intensities: [50],
      }),
    ).toThrow(/no container "cache" \(containers: web, db\)/);
  });

  it('parses the lists of antagonists and intensities, and refuses bad ones', () => {
    expect(parseResources('io, cpu,io')).toEqual(['io', 'cpu']);
    expect(() => parseResources('gpu')).toThrow(/expected a list of cpu, memory, io, fork, got "gpu"/);
    expect(parseIntensities('100,0,50%,50')).toEqual([0, 50, 100]);
    expect(() => parseIntensities('120')).toThrow(/percents 0..100, got "120"/);
  });
});

describe('deriveValidationScenario', () => {
  it('runs both containers solo and together, as the source writes them', () => {
    const sc = parse(deriveValidationScenario({ doc: SOURCE, file: 'pair.yaml', pair: ['web', 'db'] }));
    expect(sc.phases).toEqual([
      { name: 'solo-web', kind: 'solo', containers: ['web'] },
      { name: 'solo-db', kind: 'solo', containers: ['db'] },
      { name: 'colocated', kind: 'colocated', containers: ['web', 'db'] },
    ]);
    expect(sc.cells).toHaveLength(1);
    expect(sc.warnings).toEqual([]);
  });
});

describe('profileFromResults', () => {
  // Web's p50 is 1.2x solo next to the cpu antagonist at 50 and 1.5x at 100, in every block.
  const results = syntheticProfileRun((i) => (i === 50 ? 1.2 : 1.5));
  const p = profileFromResults({
    results,
    runDir: 'run',
    scenarioFile: 'pair.yaml',
    container: 'web',
    workload: 'web',
    antagonists: [{ resource: 'cpu', workload: 'cpu', params: { threads: 2 }, limits: {} }],
    intensities: [50, 100],
    durationMs: 2000,
    warmupMs: 1000,
    command: ['isobench', 'profile'],
  });

  it('reads the slowdown per intensity from the analysis, and the received intensity from the ready lines', () => {
    const pts = p.antagonists[0]?.points ?? [];
    expect(pts.map((x) => x.intensity)).toEqual([50, 100]);
    expect(pts.map((x) => x.receivedIntensity)).toEqual([50, 100]);
    expect(pts[0]?.slowdown.latencyP50Us?.median).toBeCloseTo(1.2, 9);
    expect(pts[1]?.slowdown.latencyP50Us?.median).toBeCloseTo(1.5, 9);
    expect(pts[1]?.slowdown.latencyP50Us?.n).toBe(6);
    expect(p.primaryMetric).toBe('latencyP50Us');
    expect(p.run).toMatchObject({ trials: 36, failedTrials: 0, repetitions: 6 });
  });

  it('computes footprints per second of window: the antagonist alone and the container solo', () => {
    const pts = p.antagonists[0]?.points ?? [];
    expect(pts.map((x) => x.footprint.cpuCores)).toEqual([1, 2]);
    expect(pts[0]?.footprint.trials).toBe(6);
    expect(p.footprint).toMatchObject({
      trials: 12,
      cpuCores: 0.5,
      ioBytesPerSec: 2 * 2 ** 20,
      pidsPeak: 7,
      psiCpuSome: 0.05,
    });
    expect(p.footprint.ioOpsPerSec).toBe(128);
  });

  it('is valid against the profile schema, survives JSON, and predicts from itself', () => {
    expect(profileSchema.safeParse(JSON.parse(JSON.stringify(p))).success).toBe(true);
    expect(profileSchema.safeParse({ ...p, profileSchemaVersion: 2 }).success).toBe(false);
    expect(profileSchema.safeParse({ ...p, extra: 1 }).success).toBe(false);
    // Its own footprint (0.5 cores) is intensity 25 on the antagonist's scale (1 core at 50): 1.1x.
    const pr = predictSlowdown(p, { container: { name: 'web2' }, footprint: p.footprint }, 'latencyP50Us');
    expect(pr.terms[0]?.intensity).toBeCloseTo(25, 9);
    expect(pr.predicted?.median).toBeCloseTo(1.1, 9);
    const file: PredictionFile = {
      profileSchemaVersion: PROFILE_SCHEMA_VERSION,
      kind: 'prediction',
      createdAt: 'now',
      command: [],
      profiles: ['a', 'b'],
      predictions: [pr],
      validation: null,
    };
    expect(predictionFileSchema.safeParse(JSON.parse(JSON.stringify(file))).success).toBe(true);
    const page = renderPredictionHtml(file, [p]);
    expect(page).toContain('<svg');
    // One chart per antagonist and figure: the primary (p50) and the p99, which the run also has.
    expect(p.metrics).toEqual(['latencyP50Us']);
    expect(renderProfileHtml(p).match(/<svg/g)).toHaveLength(1);
    expect(
      renderProfileHtml({ ...p, metrics: ['latencyP50Us', 'latencyP99Us'] }).match(/<svg/g),
    ).toHaveLength(2);
  });
});

describe('profile.schema.json', () => {
  it('equals the schema generated from the zod schema', () => {
    // To regenerate: UPDATE_SCHEMA=1 npx vitest run harness/profile/profile.test.ts && npx biome check --write harness/profile
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(committed, profileJsonSchemaText());
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(profileJsonSchema());
    expect(profileJsonSchema().$id).toBe(`urn:isobench:profile:v${PROFILE_SCHEMA_VERSION}`);
  });
});
