import { describe, expect, it } from 'vitest';
import { escapeMarkdownCell, shellQuote } from './escape.js';

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
