/**
 * Text -> validated Scenario, or one ScenarioError listing every problem with its place.
 *
 * Order: YAML (syntax, duplicate keys) -> command-line overrides -> cells x sweep -> for each
 * cell, schema and cross-field checks on the document with that cell's values written in.
 * Validating per cell is what catches a sweep value that is fine as a string but wrong for
 * its field (`io.max.wbps: fast`); findings are mapped back to where the value is written.
 */
import { parseDurationMs } from '../units.js';
import { toPlainData } from './aliases.js';
import { type CellDraft, draftCells } from './cells.js';
import { crossChecks, type WorkloadParamSpecs } from './checks.js';
import type { HostFacts } from './floors.js';
import { type IssueOrigin, quoteValue, ScenarioError, type ScenarioIssue } from './issues.js';
import { type AppliedFlag, applyFlags, type ScenarioOverrides } from './overrides.js';
import { isUnder, joinPath, setIn } from './paths.js';
import { phaseWarnings, resolveCell, resolvePhases } from './resolve.js';
import { parsePrecision, type ScenarioData } from './schema.js';
import { originOf, type PathSegment, parseSource, type ScenarioSource } from './source.js';
import { checkStructure, type DataIssue } from './structure.js';
import type { CellSpec, GuardSpec, Scenario, SequentialSpec } from './types.js';

/**
 * A sequential run without maxRepetitions may add up to twice its first blocks again: the
 * statistics digest's "extend up to 2-4x the planned count".
 */
export const DEFAULT_MAX_REPETITIONS_FACTOR = 3;

export interface ParseOptions {
  /** The file name as the user gave it; it prefixes every error line. */
  file: string;
  overrides?: ScenarioOverrides;
  /** Pass WORKLOAD_PARAMS from workloads/ to check parameter names; without it any name passes. */
  workloadParams?: WorkloadParamSpecs;
  /** This host's CPUs and memory nodes: cpusets it does not have are refused (absent: not checked). */
  host?: HostFacts | null;
}

class Locator {
  constructor(
    private readonly source: ScenarioSource,
    private readonly flags: readonly AppliedFlag[],
  ) {}

  /** A value a flag wrote is reported against the flag; the last flag to write it wins. */
  origin(docPath: readonly PathSegment[], at: 'key' | 'value'): IssueOrigin {
    const flag = [...this.flags].reverse().find((f) => isUnder(docPath, f.segments));
    return flag ? { kind: 'flag', flag: flag.flag } : originOf(this.source, docPath, at);
  }

  issue(d: DataIssue, docPath: readonly PathSegment[] = d.path, at: 'key' | 'value' = d.at): ScenarioIssue {
    return { origin: this.origin(docPath, at), path: joinPath(docPath), message: d.message };
  }
}

/** A flag that a cell or sweep also writes would be silently overridden: refuse it. */
function shadowedFlags(flags: readonly AppliedFlag[], cells: readonly CellDraft[]): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  for (const flag of flags) {
    const hit = cells
      .flatMap((c) => c.overrides)
      .find((o) => isUnder(o.segments, flag.segments) || isUnder(flag.segments, o.segments));
    if (hit) {
      const [where, path] = hit.docPath;
      const message =
        where === 'sweep'
          ? `sweep.${path} sweeps this path and would override it; change the sweep instead (--set sweep.${path}=[A, B])`
          : `cells.${String(path)}.set also sets this path and would override it; change it there instead (--set ${joinPath(hit.docPath)}=VALUE)`;
      issues.push({ origin: { kind: 'flag', flag: flag.flag }, path: joinPath(flag.segments), message });
    }
  }
  return issues;
}

function validateCell(
  raw: Record<string, unknown>,
  draft: CellDraft,
  locator: Locator,
  paramSpecs: WorkloadParamSpecs,
  host: HostFacts | null,
): { data: ScenarioData | null; issues: ScenarioIssue[] } {
  const doc = structuredClone(raw);
  for (const o of draft.overrides) setIn(doc, o.segments, o.value);
  const structure = checkStructure(doc);
  const dataIssues = [...(structure.ok ? [] : structure.issues), ...crossChecks(doc, paramSpecs, host)];
  const issues = dataIssues.map((d) => {
    const override = draft.overrides.find((o) => isUnder(d.path, o.segments));
    if (!override) return locator.issue(d);
    // A bad key (an unknown limit) is the sweep's key, not each of its values.
    const sweptKey = d.at === 'key' && override.docPath[0] === 'sweep';
    return locator.issue(d, sweptKey ? override.docPath.slice(0, 2) : override.docPath);
  });
  return { data: structure.ok && issues.length === 0 ? structure.data : null, issues };
}

/** A sequential run's rule and budget (validated already: precision parses, maxRepetitions >= repetitions). */
function sequentialOf(data: ScenarioData): SequentialSpec | null {
  if (data.precision === undefined) return null;
  return {
    precision: parsePrecision(data.precision) as number,
    maxRepetitions: data.maxRepetitions ?? DEFAULT_MAX_REPETITIONS_FACTOR * data.repetitions,
    timeBudgetMs: data.timeBudget === undefined ? null : parseDurationMs(String(data.timeBudget)),
  };
}

function guardsOf(data: ScenarioData): GuardSpec {
  const g = data.guards;
  const ms = (v: string | number) => parseDurationMs(String(v));
  return {
    lateSendFraction: g.lateSends,
    foreignCpuCores: g.foreignCpu,
    stealCores: g.steal,
    loopDelayMs: ms(g.loopDelay),
    quiet: { belowCores: g.quietBelow, forMs: ms(g.quietFor), maxWaitMs: ms(g.quietWait) },
  };
}

/** Parses and validates scenario text; throws ScenarioError with every problem found. */
export function parseScenario(text: string, opts: ParseOptions): Scenario {
  const { source, issues: yamlIssues } = parseSource(text, opts.file);
  // A document with syntax errors or duplicate keys has no trustworthy structure to check.
  if (yamlIssues.length > 0) throw new ScenarioError(yamlIssues);
  const plain = toPlainData(source);
  if ('issue' in plain) throw new ScenarioError([plain.issue]);
  const raw = plain.data;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ScenarioError([
      {
        origin: originOf(source, []),
        path: '',
        message: `expected a mapping of scenario fields (name, containers, phases ...), got ${quoteValue(raw)}`,
      },
    ]);
  }
  const doc = raw as Record<string, unknown>;
  const { flags, issues: flagIssues } = applyFlags(doc, opts.overrides ?? {});
  const locator = new Locator(source, flags);
  const { cells: drafts, issues: cellIssues } = draftCells(doc);
  const issues: ScenarioIssue[] = [
    ...flagIssues,
    ...cellIssues.map((d) => locator.issue(d)),
    ...shadowedFlags(flags, drafts),
  ];
  const cells: CellSpec[] = [];
  let base: ScenarioData | null = null;
  for (const draft of drafts) {
    const result = validateCell(doc, draft, locator, opts.workloadParams ?? {}, opts.host ?? null);
    issues.push(...result.issues);
    if (result.data) {
      base ??= result.data;
      cells.push(resolveCell(result.data, { id: draft.id, name: draft.name, settings: draft.settings }));
    }
  }
  if (issues.length > 0 || base === null) throw new ScenarioError(issues);
  const phases = resolvePhases(base);
  return {
    name: base.name,
    description: base.description ?? null,
    file: opts.file,
    text,
    overrides: flags.map((f) => f.text),
    repetitions: base.repetitions,
    sequential: sequentialOf(base),
    outputDir: base.output,
    guards: guardsOf(base),
    harnessCpus: base.harness.cpus === undefined ? null : String(base.harness.cpus).trim(),
    doctor: base.doctor,
    seed: base.seed ?? null,
    phases,
    cells,
    warnings: phaseWarnings(
      phases,
      new Set(
        Object.values(cells[0]?.containers ?? {})
          .filter((c) => c.aggressor)
          .map((c) => c.name),
      ),
    ),
  };
}
