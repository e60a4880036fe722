/**
 * `isobench profile` and `isobench predict`: the I/O around derive.ts (the scenario to run),
 * the runner (harness/run: the trials, exactly as `isobench run` runs them), extract.ts (the
 * profile from its results) and predict.ts (the pair estimate). A profile folder holds
 * scenario.yaml (the derived scenario), run/ (an ordinary results folder, with its own report),
 * profile.json and profile.html.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { WORKLOAD_PARAMS } from '../../workloads/index.js';
import { errnoOf, quote, UsageError } from '../errors.js';
import { resultsDirName } from '../results/paths.js';
import { readResults } from '../results/reader.js';
import { HIGHER_IS_WORSE, type MetricName, type ResultsFile } from '../results/types.js';
import { formatIssues } from '../results/validate.js';
import { writeFileAtomic } from '../results/writer.js';
import { resolveScenarioFile, runMain } from '../run/runner.js';
import { validateScenarioFile } from '../scenario/validate.js';
import { parseDurationMs } from '../units.js';
import {
  ANTAGONIST_DEFS,
  containerOf,
  deriveProfileScenario,
  deriveValidationScenario,
  parseIntensities,
  parseResources,
} from './derive.js';
import { profileFromResults } from './extract.js';
import { formatPredictions, formatProfile, formatValidation } from './format.js';
import { predictSlowdown, validationRow } from './predict.js';
import { renderPredictionHtml, renderProfileHtml } from './report.js';
import { predictionFileSchema, profileSchema } from './schema.js';
import { PROFILE_SCHEMA_VERSION, type Prediction, type PredictionFile, type ProfileFile } from './types.js';

export interface TrialOptions {
  duration?: string;
  warmup?: string;
  repetitions?: string;
  set?: string[];
  seed?: string;
  readyTimeout?: string;
  cgroupParent?: string;
}

export interface ProfileOptions extends TrialOptions {
  container: string;
  antagonists?: string;
  intensities?: string;
  output?: string;
  json?: boolean;
}

function readDoc(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(
      'ISOBENCH_SCENARIO_UNREADABLE',
      `${file}: ${errnoOf(err) ?? (err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Writes the derived scenario and runs it through the runner; returns the runner's exit status. */
async function runDerived(
  doc: object,
  dir: string,
  opts: TrialOptions,
): Promise<{ status: number; file: string; runDir: string }> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'scenario.yaml');
  // JSON is YAML: the scenario parser reads it, with line positions for any error.
  writeFileSync(
    file,
    `# derived by isobench; the container as written in its scenario\n${JSON.stringify(doc, null, 2)}\n`,
  );
  const runDir = join(dir, 'run');
  const { writeReports } = await import('../../reports/index.js');
  const status = await runMain(file, {
    out: runDir,
    ...(opts.duration ? { duration: opts.duration } : {}),
    ...(opts.warmup ? { warmup: opts.warmup } : {}),
    ...(opts.repetitions ? { repetitions: opts.repetitions } : {}),
    ...(opts.set ? { set: opts.set } : {}),
    ...(opts.seed ? { seed: opts.seed } : {}),
    ...(opts.readyTimeout ? { readyTimeout: opts.readyTimeout } : {}),
    ...(opts.cgroupParent ? { cgroupParent: opts.cgroupParent } : {}),
    afterFinish: async (d: string) => {
      await writeReports(d);
    },
  });
  return { status, file, runDir };
}

export async function profileMain(fileArg: string, opts: ProfileOptions): Promise<number> {
  const file = resolveScenarioFile(fileArg);
  const antagonists = parseResources(opts.antagonists ?? 'cpu,memory,io,fork');
  const intensities = parseIntensities(opts.intensities ?? '0,25,50,75,100');
  // The user's scenario is checked as a whole first, so that its faults are reported against it.
  await validateScenarioFile(file, { workloadParams: WORKLOAD_PARAMS });
  const doc = readDoc(file);
  const derived = deriveProfileScenario({ doc, file, container: opts.container, antagonists, intensities });
  const out = resolve(
    opts.output ?? join('results', resultsDirName(new Date(), `profile-${opts.container}`)),
  );
  // The derived scenario is validated with the overrides before anything runs (runMain does it
  // again): its timings go into the profile.
  mkdirSync(out, { recursive: true });
  const checkFile = join(out, 'scenario.yaml');
  writeFileSync(checkFile, JSON.stringify(derived, null, 2));
  const { scenario } = await validateScenarioFile(checkFile, {
    ...(opts.duration ? { duration: opts.duration } : {}),
    ...(opts.warmup ? { warmup: opts.warmup } : {}),
    ...(opts.repetitions ? { repetitions: opts.repetitions } : {}),
    ...(opts.set ? { set: opts.set } : {}),
    workloadParams: WORKLOAD_PARAMS,
  });
  const cell0 = scenario.cells[0];
  const { status, runDir } = await runDerived(derived, out, opts);
  if (status === 130 || status === 2) return status;
  const results = readResults(runDir);
  const target = cell0?.containers[opts.container];
  const profile = profileFromResults({
    results,
    runDir: relative(out, runDir),
    scenarioFile: file,
    container: opts.container,
    workload: target?.workload.kind === 'builtin' ? target.workload.name : 'command',
    definition: containerOf(doc, opts.container, file),
    antagonists: antagonists.map((r) => {
      const spec = cell0?.containers[`ant-${r}`];
      return {
        resource: r,
        workload: ANTAGONIST_DEFS[r].workload,
        params: Object.fromEntries(
          Object.entries(ANTAGONIST_DEFS[r].params).map(([k, v]) => [k, v as string | number | boolean]),
        ),
        limits: Object.fromEntries(
          Object.entries(spec?.limits ?? ANTAGONIST_DEFS[r].limits).map(([k, v]) => [k, String(v)]),
        ),
      };
    }),
    intensities,
    durationMs: cell0?.durationMs ?? 0,
    warmupMs: cell0?.warmupMs ?? 0,
    command: ['isobench', ...process.argv.slice(2)],
  });
  writeFileAtomic(join(out, 'profile.json'), `${JSON.stringify(profile, null, 2)}\n`);
  writeFileAtomic(join(out, 'profile.html'), renderProfileHtml(profile));
  if (opts.json)
    process.stdout.write(`${JSON.stringify({ dir: out, profile: join(out, 'profile.json') })}\n`);
  else process.stdout.write(formatProfile(profile, out));
  return status;
}

/** Reads and validates a profile.json (or the profile folder that holds it). */
export function readProfile(path: string): ProfileFile {
  const file = path.endsWith('.json') ? path : join(path, 'profile.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(
      'ISOBENCH_PROFILE_UNREADABLE',
      `cannot read the profile ${quote(file)}: ${errnoOf(err) ?? (err as Error).message}`,
      { cause: err },
    );
  }
  const version = (data as { profileSchemaVersion?: unknown } | null)?.profileSchemaVersion;
  if (version !== PROFILE_SCHEMA_VERSION) {
    throw new UsageError(
      'ISOBENCH_PROFILE_UNREADABLE',
      `${quote(file)}: expected profileSchemaVersion ${PROFILE_SCHEMA_VERSION}, got ${version === undefined ? 'none' : quote(version)}`,
    );
  }
  const parsed = profileSchema.safeParse(data);
  if (!parsed.success) {
    throw new UsageError(
      'ISOBENCH_PROFILE_UNREADABLE',
      `${quote(file)}: ${formatIssues(parsed.error.issues)}`,
    );
  }
  return parsed.data;
}

export interface PredictOptions extends TrialOptions {
  metric?: string;
  validate?: string;
  /** A results folder of the pair measured earlier (a `--validate` run's `run/`): compare without running. */
  measured?: string;
  output?: string;
  json?: boolean;
}

/** The metric to predict for this victim: the one asked for when its profile has it, else its primary metric. */
function metricOf(p: ProfileFile, asked: string | undefined): MetricName | null {
  if (asked === undefined) return p.primaryMetric;
  if (!(asked in HIGHER_IS_WORSE)) {
    throw new UsageError(
      'ISOBENCH_USAGE',
      `--metric: expected one of ${Object.keys(HIGHER_IS_WORSE).join(', ')}, got ${quote(asked)}`,
    );
  }
  return p.metrics.includes(asked as MetricName) ? (asked as MetricName) : null;
}

/** Predicted against the pair's measured slowdowns (the first cell of its results). */
function validationOf(
  results: ResultsFile,
  scenario: string,
  dir: string,
  predictions: readonly Prediction[],
): NonNullable<PredictionFile['validation']> {
  const cell = results.cells[0];
  return {
    scenario,
    dir,
    repetitions: results.scenario.repetitions,
    rows: predictions.map((p) => validationRow(p, cell?.containers[p.victim]?.slowdown?.[p.metric] ?? null)),
  };
}

export async function predictMain(pathA: string, pathB: string, opts: PredictOptions): Promise<number> {
  // Checked before anything is read or run (the run would refuse it only after the profiles).
  if (opts.readyTimeout !== undefined) parseDurationMs(opts.readyTimeout, '--ready-timeout');
  const a = readProfile(pathA);
  const b = readProfile(pathB);
  const predictions = [
    [a, b],
    [b, a],
  ].flatMap(([victim, aggressor]) => {
    const v = victim as ProfileFile;
    const metric = metricOf(v, opts.metric);
    return metric ? [predictSlowdown(v, aggressor as ProfileFile, metric)] : [];
  });
  if (predictions.length === 0) {
    throw new UsageError(
      'ISOBENCH_USAGE',
      `predict: neither profile has a ${opts.metric ? `${quote(opts.metric)} slowdown` : 'metric with a slowdown'} (${a.container.name}: ${a.metrics.join(', ') || 'none'}; ${b.container.name}: ${b.metrics.join(', ') || 'none'})`,
    );
  }
  const file: PredictionFile = {
    profileSchemaVersion: PROFILE_SCHEMA_VERSION,
    kind: 'prediction',
    createdAt: new Date().toISOString(),
    command: ['isobench', ...process.argv.slice(2)],
    profiles: [resolve(pathA), resolve(pathB)],
    predictions,
    validation: null,
  };
  let status = 0;
  const out =
    opts.validate || opts.output
      ? resolve(
          opts.output ??
            join('results', resultsDirName(new Date(), `predict-${a.container.name}-${b.container.name}`)),
        )
      : null;
  if (opts.validate && out) {
    const scenarioFile = resolveScenarioFile(opts.validate);
    await validateScenarioFile(scenarioFile, { workloadParams: WORKLOAD_PARAMS });
    const doc = readDoc(scenarioFile);
    // The pair must be the containers that were profiled: say so when the scenario writes them otherwise.
    for (const p of [a, b]) {
      const def = p.container.definition;
      if (def && JSON.stringify(def) !== JSON.stringify(containerOf(doc, p.container.name, scenarioFile))) {
        process.stderr.write(
          `warning: ${scenarioFile}: container ${p.container.name} is defined differently from its profile (${p.scenario.file}): the validation measures another workload\n`,
        );
      }
    }
    const derived = deriveValidationScenario({
      doc,
      file: scenarioFile,
      pair: [a.container.name, b.container.name],
    });
    const r = await runDerived(derived, out, opts);
    status = r.status;
    if (status === 130 || status === 2) return status;
    file.validation = validationOf(readResults(r.runDir), scenarioFile, relative(out, r.runDir), predictions);
  } else if (opts.measured) {
    const dir = resolve(opts.measured);
    const results = readResults(dir);
    file.validation = validationOf(results, results.scenario.file, dir, predictions);
  }
  const check = predictionFileSchema.safeParse(file);
  if (!check.success)
    throw new Error(`prediction.json does not match its schema: ${formatIssues(check.error.issues)}`);
  if (out) {
    mkdirSync(out, { recursive: true });
    writeFileAtomic(join(out, 'prediction.json'), `${JSON.stringify(file, null, 2)}\n`);
    writeFileAtomic(join(out, 'prediction.html'), renderPredictionHtml(file, [a, b]));
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(file)}\n`);
  else {
    process.stdout.write(formatPredictions(file));
    if (file.validation) process.stdout.write(formatValidation(file));
    if (out) process.stdout.write(`${join(out, 'prediction.json')}\n${join(out, 'prediction.html')}\n`);
  }
  return status;
}
