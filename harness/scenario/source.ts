/**
 * The YAML side: parse with node ranges kept, and map a path of keys back to a line and
 * column. Validation works on plain JS values; this is how its findings find their way back
 * to the text the user wrote.
 */
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { IssueOrigin, ScenarioIssue } from './issues.js';

export type PathSegment = string | number;

export interface ScenarioSource {
  file: string;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
}

/** Parses YAML text; syntax errors and duplicate keys come back as issues (with paths when known). */
export function parseSource(text: string, file: string): { source: ScenarioSource; issues: ScenarioIssue[] } {
  const lineCounter = new LineCounter();
  // prettyErrors off: the message stays one line; we add FILE:LINE:COL ourselves.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const source = { file, text, doc, lineCounter };
  const issues = doc.errors.map((err): ScenarioIssue => {
    const origin = originAtOffset(source, err.pos[0]);
    if (err.code !== 'DUPLICATE_KEY') {
      // Where a syntax error is noticed can be past the node that caused it: no path, just the position.
      return { origin, path: '', message: `YAML syntax: ${err.message}` };
    }
    const path = pathAtOffset(doc, err.pos[0]);
    const key = path[path.length - 1] ?? '';
    return {
      origin,
      path: path.join('.'),
      message: `duplicate key ${JSON.stringify(key)}: keys of a mapping must be unique`,
    };
  });
  return { source, issues };
}

export function originAtOffset(source: ScenarioSource, offset: number): IssueOrigin {
  const { line, col } = source.lineCounter.linePos(offset);
  return { kind: 'file', file: source.file, line, col };
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function childPair(node: unknown, segment: PathSegment) {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => keyText(pair.key) === String(segment));
}

/**
 * Start offset of the node at `path`: of its key when `at` is 'key', of its value otherwise.
 * A path that does not exist (a missing required field) points at its deepest existing
 * ancestor, which is where the field would have to be written.
 */
export function offsetOf(doc: Document, path: readonly PathSegment[], at: 'key' | 'value' = 'value'): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined || !(item as Node).range) return offset;
      node = item;
      offset = (item as Node).range?.[0] ?? offset;
      continue;
    }
    const pair = childPair(node, segment);
    if (!pair) return offset;
    const keyOffset = (pair.key as Node | null)?.range?.[0] ?? offset;
    const value = pair.value as Node | null;
    // An empty value (`workload:`) has no range of its own: point at its key.
    if ((last && at === 'key') || !value?.range) return keyOffset;
    node = value;
    offset = value.range[0];
  }
  return offset;
}

export function originOf(
  source: ScenarioSource,
  path: readonly PathSegment[],
  at: 'key' | 'value' = 'value',
): IssueOrigin {
  return originAtOffset(source, offsetOf(source.doc, path, at));
}

/** Path of the deepest key or value whose range holds `offset` (to name where a YAML error is). */
export function pathAtOffset(doc: Document, offset: number): string[] {
  const path: string[] = [];
  let node: unknown = doc.contents;
  const holds = (n: unknown): boolean => {
    const r = (n as Node | null)?.range;
    return !!r && offset >= r[0] && offset < Math.max(r[1], r[0] + 1);
  };
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (holds(p.key) || holds(p.value)));
      if (!pair) return path;
      path.push(keyText(pair.key));
      if (holds(pair.key)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => holds(item));
      if (index < 0) return path;
      path.push(String(index));
      node = node.items[index];
    } else {
      return path;
    }
  }
}
