/**
 * YAML aliases (`*name`) in a scenario. The yaml library expands them when the document
 * becomes plain data and refuses two kinds of document with a bare ReferenceError: one whose
 * aliases expand too much (a "billion laughs" document: nine anchors of nine aliases each
 * stand for 9^9 values) and one with an alias whose anchor is not set before it. Here both
 * become a scenario issue at the alias to blame, exit 2, like any other bad input.
 */
import { type Alias, type Document, isAlias, isCollection, isPair, visit } from 'yaml';
import type { ScenarioIssue } from './issues.js';
import { originAtOffset, pathAtOffset, type ScenarioSource } from './source.js';

/**
 * yaml's budget for alias expansion (uses of an anchor times the aliases nested under it). A
 * scenario uses a handful of aliases (shared limits, repeated parameters); 1000 leaves room.
 */
export const MAX_ALIAS_COUNT = 1000;

/** The document as plain data, or the one issue that explains why its aliases were refused. */
export function toPlainData(source: ScenarioSource): { data: unknown } | { issue: ScenarioIssue } {
  try {
    return { data: source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    const issue = err instanceof ReferenceError ? aliasIssue(source) : null;
    if (!issue) throw err;
    return { issue };
  }
}

/** Each alias's anchored node, resolved as yaml does: the last anchor of that name before it. */
function resolveAliases(doc: Document): { aliases: Alias[]; targets: Map<Alias, unknown> } {
  const anchors = new Map<string, unknown>();
  const aliases: Alias[] = [];
  const targets = new Map<Alias, unknown>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        aliases.push(node);
        if (anchors.has(node.source)) targets.set(node, anchors.get(node.source));
      } else if (node.anchor) {
        anchors.set(node.anchor, node);
      }
    },
  });
  return { aliases, targets };
}

/** How many values a node stands for once its aliases are expanded (memoized: linear time). */
function expandedSize(targets: Map<Alias, unknown>): (node: unknown) => number {
  const memo = new Map<unknown, number>();
  const size = (node: unknown): number => {
    const known = memo.get(node);
    if (known !== undefined) return known;
    memo.set(node, 1); // an alias inside its own anchor counts once instead of looping
    let n = 1; // a scalar
    if (node === null || node === undefined) n = 0;
    else if (isAlias(node)) n = size(targets.get(node));
    else if (isPair(node)) n = size(node.key) + size(node.value);
    else if (isCollection(node)) n = 1 + node.items.reduce((sum: number, item) => sum + size(item), 0);
    memo.set(node, n);
    return n;
  };
  return size;
}

/** The alias to blame: the first without an anchor, else the one that expands most; null if none. */
function aliasIssue(source: ScenarioSource): ScenarioIssue | null {
  const { doc } = source;
  const { aliases, targets } = resolveAliases(doc);
  if (aliases.length === 0) return null;
  const at = (alias: Alias, message: string): ScenarioIssue => {
    const offset = alias.range?.[0] ?? 0;
    return { origin: originAtOffset(source, offset), path: pathAtOffset(doc, offset).join('.'), message };
  };
  const unresolved = aliases.find((a) => !targets.has(a));
  if (unresolved) {
    return at(
      unresolved,
      `alias *${unresolved.source} has no anchor &${unresolved.source} before it (an anchor must be set before its aliases)`,
    );
  }
  const size = expandedSize(targets);
  const worst = aliases.reduce((w, a) => (size(a) > size(w) ? a : w));
  return at(
    worst,
    `aliases expand this document to ${size(doc.contents)} values (*${worst.source} alone to ${size(worst)}), more than isobench accepts (${MAX_ALIAS_COUNT} alias expansions): a "billion laughs" document is refused; write the values out or use fewer aliases`,
  );
}
