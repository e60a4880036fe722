/**
 * samples.csv of shards joined in the merged trial order, as the unsharded run would have
 * appended them (the runner appends a trial's rows right after the trial). Records are moved
 * as text, never re-encoded, so a merged file is byte-identical to the unsharded one.
 */

/** CSV records of `text` (each with its line ending), splitting only on newlines outside quotes. */
export function csvRecords(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) {
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** The first field of a record: the trial id (ids are [a-z0-9-], but read a quoted one too). */
export function firstField(record: string): string {
  if (record.startsWith('"')) {
    const m = /^"((?:[^"]|"")*)"/.exec(record);
    return m ? (m[1] as string).replace(/""/g, '"') : '';
  }
  const comma = record.indexOf(',');
  return (comma < 0 ? record : record.slice(0, comma)).replace(/\r?\n$/, '');
}

export interface SamplesPart {
  name: string;
  text: string;
}

/**
 * One samples.csv from the parts': `header`, then each trial's records in `trialOrder`, then
 * records of trials not in the order (none in a sound folder: reported through `unknown`).
 * A part whose header is not `header` is refused by the caller through `badHeader`.
 */
export function mergeSamples(
  header: string,
  parts: readonly SamplesPart[],
  trialOrder: readonly string[],
): { text: string; badHeader: string[]; unknown: string[] } {
  const byTrial = new Map<string, string[]>();
  const badHeader: string[] = [];
  const unknownRecords: string[] = [];
  const unknown = new Set<string>();
  const known = new Set(trialOrder);
  for (const part of parts) {
    const records = csvRecords(part.text);
    if (records.length === 0 || records[0] !== header) {
      badHeader.push(part.name);
      continue;
    }
    for (const rec of records.slice(1)) {
      if (rec.trim() === '') continue;
      const trial = firstField(rec);
      if (!known.has(trial)) {
        unknown.add(trial);
        unknownRecords.push(rec);
        continue;
      }
      const list = byTrial.get(trial);
      if (list) list.push(rec);
      else byTrial.set(trial, [rec]);
    }
  }
  const body = trialOrder.flatMap((t) => byTrial.get(t) ?? []);
  return { text: [header, ...body, ...unknownRecords].join(''), badHeader, unknown: [...unknown] };
}
