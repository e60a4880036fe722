import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdownCell, jsonForScript, shellQuote } from './escape.js';

describe('escapeHtml', () => {
  it('escapes the five HTML specials and keeps everything else', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;',
    );
    expect(escapeHtml('web-vs-db µs ×2')).toBe('web-vs-db µs ×2');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('jsonForScript', () => {
  it('leaves no < that could close the script element, and parses back equal', () => {
    const value = { name: '</script><script>alert(1)</script><!--', sep: '\u2028\u2029', amp: 'a&b' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('escapeMarkdownCell', () => {
  it('keeps a table row one row: pipes and line breaks are escaped, HTML is inert', () => {
    expect(escapeMarkdownCell('a|b\nc<script>')).toBe('a\\|b c&lt;script&gt;');
  });
});

describe('shellQuote', () => {
  it('quotes only what needs it', () => {
    expect(shellQuote(['isobench', 'run', '--set', "a b'c", '--out', '/tmp/x'])).toBe(
      `isobench run --set 'a b'\\''c' --out /tmp/x`,
    );
  });
});
