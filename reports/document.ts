/**
 * The frame of every page isobench writes (report.html, the compare page): one self-contained
 * file whose Content-Security-Policy forbids every fetch (default-src 'none', no connect-src,
 * images only from data: URLs) and allows exactly the inline scripts the page carries, by the
 * sha256 of the same text that goes into the page, so the policy and the scripts cannot drift.
 */
import { createHash } from 'node:crypto';
import { html, inlineScript, joinHtml, type SafeHtml } from './safe-html.js';

export interface PageScript {
  source: string;
  kind: 'classic' | 'module';
}

/** A CSP hash source: `'sha256-<base64>'` of the script element's text. */
export function cspHash(source: string): string {
  return `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
}

export function contentSecurityPolicy(scripts: readonly PageScript[]): string {
  return [
    "default-src 'none'",
    ...(scripts.length > 0 ? [`script-src ${scripts.map((s) => cspHash(s.source)).join(' ')}`] : []),
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The whole page: head (CSP, title, style), the body, then the scripts in order. */
export function htmlDocument(opts: {
  title: string;
  style: SafeHtml;
  body: SafeHtml;
  scripts?: readonly PageScript[];
}): string {
  const scripts = opts.scripts ?? [];
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(scripts)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${opts.title}</title>
<style>${opts.style}</style>
</head>
<body>
${opts.body}
${joinHtml(
  scripts.map((s) => inlineScript(s.source, s.kind)),
  '\n',
)}
</body>
</html>
`.toString();
}
