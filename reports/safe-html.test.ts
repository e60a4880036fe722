import { describe, expect, it } from 'vitest';
import { html, inlineScript, joinHtml, jsonScript, raw, type SafeHtml } from './safe-html.js';

const HOSTILE = `<script>alert("x" & 'y')</script>`;

describe('html template', () => {
  it('escapes every interpolated text, in element bodies and in quoted attribute values', () => {
    expect(String(html`<p title="${HOSTILE}">${HOSTILE}</p>`)).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;</p>',
    );
    expect(String(html`<td class='${"a' onclick='x"}'>${42}</td>`)).toBe(
      `<td class='a&#39; onclick=&#39;x'>42</td>`,
    );
    expect(String(html`<p>web-vs-db µs ×2 ${'</style>'}</p>`)).toBe('<p>web-vs-db µs ×2 &lt;/style&gt;</p>');
  });

  it('inserts fragments as they are, lists joined, and null, undefined and false as nothing', () => {
    const item = (t: string) => html`<li>${t}</li>`;
    expect(String(html`<ul>${['a', '<b>'].map(item)}</ul>${null}${undefined}${false}`)).toBe(
      '<ul><li>a</li><li>&lt;b&gt;</li></ul>',
    );
    expect(String(joinHtml([html`<b>${'x'}</b>`, 'y&z'], ', '))).toBe('<b>x</b>, y&amp;z');
    expect(String(html`<style>${raw('p { color: red }')}</style>`)).toBe('<style>p { color: red }</style>');
  });

  it('refuses an interpolation where escaping is not enough', () => {
    const x = 'javascript:alert(1)';
    expect(() => html`<a href="${x}">`).toThrow(/URL, script or style attribute "href"/);
    expect(() => html`<a href='${x}'>`).toThrow(/URL, script or style attribute "href"/);
    expect(() => html`<img src="${x}">`).toThrow(/"src"/);
    expect(() => html`<b onmouseover="${x}">`).toThrow(/"onmouseover"/);
    expect(() => html`<b style="${x}">`).toThrow(/"style"/);
    expect(() => html`<b title="it's" onclick="${x}">`).toThrow(/"onclick"/);
    expect(() => html`<td class=${x}>`).toThrow(/inside a tag but not in a quoted attribute value/);
    expect(() => html`<td ${x}>`).toThrow(/inside a tag/);
    expect(() => html`<${x}>`).toThrow(/as a tag name/);
    expect(() => html`</${x}>`).toThrow(/as a tag name/);
    expect(() => html`<!-- ${x} -->`).toThrow(/in a comment/);
    expect(() => html`<script>${x}</script>`).toThrow(/text inside <script> or <style>/);
    expect(() => html`<style>${x}</style>`).toThrow(/text inside <script> or <style>/);
    expect(() => html`<p title="${html`<b>`}">`).toThrow(/markup in an attribute value/);
    // A link within the page, and text after a closed script or comment, are fine.
    expect(String(html`<a href="#${'s"1'}">`)).toBe('<a href="#s&quot;1">');
    expect(String(html`<script></script><!-- c --><p>${x}</p>`)).toBe(
      `<script></script><!-- c --><p>${x}</p>`,
    );
  });

  it('makes unsafe use a type error: a string is not SafeHtml, raw takes literals only', () => {
    // @ts-expect-error a plain string is not a SafeHtml fragment
    const notSafe: SafeHtml = '<b>x</b>';
    const fromData: string = ['<b>', '</b>'].join('');
    // @ts-expect-error raw() refuses a string built at run time
    raw(fromData);
    // @ts-expect-error true is not an interpolation (false is nothing, true would print "true")
    html`<p>${true}</p>`;
    expect(typeof notSafe).toBe('string');
  });
});

describe('scripts', () => {
  it('inlines a script as is, and refuses one that would end its element early', () => {
    expect(String(inlineScript('a < b && c', 'module'))).toBe('<script type="module">a < b && c</script>');
    expect(() => inlineScript('x = "</script><script>alert(1)"', 'classic')).toThrow(/cannot be inlined/);
    expect(() => inlineScript('x = "<!--"', 'classic')).toThrow(/cannot be inlined/);
  });

  it('embeds JSON with no < that could close its element, parsing back equal', () => {
    const value = { name: '</script><script>alert(1)</script><!--', sep: '\u2028\u2029', amp: 'a&b' };
    const element = String(jsonScript('d', value));
    const text = /^<script type="application\/json" id="d">(.*)<\/script>$/s.exec(element)?.[1] ?? '';
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
