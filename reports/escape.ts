/**
 * Escaping for the three places report text goes: HTML (text and attribute values), a JSON
 * blob inside `<script type="application/json">`, and Markdown table cells. Every string that
 * comes from the scenario or the host (names, settings, hostnames, reasons, the scenario text)
 * passes through one of these: a scenario named `<script>alert(1)</script>` must show as text.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an HTML element body or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON to embed in a `<script type="application/json">` element. Only `</script` or `<!--` can
 * end or confuse such an element, and both need `<`: escaping every `<` (and `>`, `&` for good
 * measure) as a \u escape keeps the JSON equal for JSON.parse and inert for the HTML parser.
 * U+2028/2029 are escaped too so the text is also a valid JS literal.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

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
