/**
 * Escaping for report text outside HTML (HTML is written with the `html` template of
 * safe-html.ts, which escapes for itself): Markdown table cells, and a shell command line.
 */

/**
 * A Markdown table cell: `|` and line breaks would break the table, and GitHub renders inline
 * HTML in step summaries, so `<`, `>` and `&` become entities as well.
 */
export function escapeMarkdownCell(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

/** A POSIX-shell-quoted command line, for "the command that reproduces this run". */
export function shellQuote(argv: readonly string[]): string {
  return argv
    .map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
