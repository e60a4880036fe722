/**
 * The one way isobench writes HTML: the `html` tagged template. Every interpolated string or
 * number is escaped (`& < > " '`, so the same text is safe in an element body and in a quoted
 * attribute value); only a SafeHtml fragment goes in as is. Fragments come only from `html`
 * itself, from `raw` (string literals of the code, never data), from `inlineScript` (code read
 * from the package, checked for `</script`) and from `jsonScript` (every `<` escaped). Names,
 * settings, host names, reasons and the scenario text all come from results files: a scenario
 * named `<script>alert(1)</script>` shows as text.
 *
 * Escaping is only right in element text and in quoted attribute values, so each template is
 * read once (the first time it runs) and an interpolation anywhere else throws: in an unquoted
 * attribute value or an attribute name, as a tag name, in a URL, event-handler or style
 * attribute (escaping does not stop `javascript:`; a link within the page, `href="#…"`, is
 * allowed), in a comment. Inside `<script>` or `<style>` only a SafeHtml fragment may stand, and
 * a fragment inside an attribute value throws: its markup would turn into text.
 */

/** HTML that may be inserted as is. The private field makes the type nominal: a string is not one. */
class Fragment {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

export type SafeHtml = Fragment;

/** What a template accepts: text (escaped), fragments, lists of either; null, undefined and false are nothing. */
export type Interpolation = string | number | SafeHtml | null | undefined | false | readonly Interpolation[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

type Context = 'text' | 'attribute' | 'rawtext';

/** Attributes whose value is a URL, script or style: escaping does not make data safe there. */
const UNSAFE_ATTRIBUTE = /^(on.*|href|src|srcset|action|formaction|xlink:href|style|srcdoc)$/i;

/**
 * The context of each interpolation of a template, from its literal parts alone: interpolated
 * values cannot change it, since escaped text holds no `<`, `>` or quote. A context where
 * escaping is not enough throws, naming the template.
 */
function contextsOf(strings: readonly string[]): Context[] {
  let state: 'text' | 'tag' | 'dq' | 'sq' | 'comment' | 'rawtext' = 'text';
  let tag = '';
  let rawEnd = '';
  const out: Context[] = [];
  const fail = (why: string) => {
    throw new TypeError(`html template: interpolation ${why}, in \`${strings.join('{…}')}\``);
  };
  strings.forEach((part, i) => {
    for (let j = 0; j < part.length; j++) {
      const c = part[j] as string;
      if (state === 'text' && c === '<' && /[a-z/!]/i.test(part[j + 1] ?? '')) {
        state = part.startsWith('<!--', j) ? 'comment' : 'tag';
        tag = '';
      } else if (state === 'tag') {
        if (c === '"' || c === "'") state = c === '"' ? 'dq' : 'sq';
        else if (c === '>') {
          const name = /^<([a-z]+)/i.exec(tag)?.[1]?.toLowerCase();
          rawEnd = name === 'script' || name === 'style' ? `</${name}` : '';
          state = rawEnd ? 'rawtext' : 'text';
        }
      } else if ((state === 'dq' && c === '"') || (state === 'sq' && c === "'")) state = 'tag';
      else if (state === 'comment' && part.startsWith('-->', j)) state = 'text';
      else if (state === 'rawtext' && part.slice(j, j + rawEnd.length).toLowerCase() === rawEnd) {
        state = 'tag';
        tag = '';
      }
      if (state === 'tag' || state === 'dq' || state === 'sq') tag += c;
    }
    if (i === strings.length - 1) return;
    if ((state === 'text' || state === 'tag') && /<\/?$/.test(part)) fail('as a tag name');
    if (state === 'text') out.push('text');
    else if (state === 'rawtext') out.push('rawtext');
    else if (state === 'dq' || state === 'sq') {
      const m = /([^\s"'=<>/]+)\s*=\s*(?:"([^"]*)|'([^']*))$/.exec(tag);
      const name = m?.[1] ?? '';
      const value = m?.[2] ?? m?.[3] ?? '';
      // A link within the page (the literal value starts with #) cannot become another URL.
      const fragmentLink = /^(href|xlink:href)$/i.test(name) && value.startsWith('#');
      if (UNSAFE_ATTRIBUTE.test(name) && !fragmentLink)
        fail(`in the URL, script or style attribute "${name}"`);
      out.push('attribute');
    } else if (state === 'comment') fail('in a comment');
    else fail('inside a tag but not in a quoted attribute value');
  });
  return out;
}

const contextCache = new WeakMap<TemplateStringsArray, Context[]>();

function render(value: Interpolation, context: Context): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map((v: Interpolation) => render(v, context)).join('');
  if (value instanceof Fragment) {
    if (context === 'attribute') throw new TypeError(`html template: markup in an attribute value: ${value}`);
    return value.toString();
  }
  if (context === 'rawtext') throw new TypeError('html template: text inside <script> or <style>');
  return escapeText(String(value));
}

/** html`<td class="${cls}">${name}</td>`: a fragment with every interpolated text escaped. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let contexts = contextCache.get(strings);
  if (!contexts) {
    contexts = contextsOf(strings);
    contextCache.set(strings, contexts);
  }
  let out = strings[0] as string;
  values.forEach((v, i) => {
    out += render(v, contexts[i] as Context) + (strings[i + 1] as string);
  });
  return new Fragment(out);
}

/**
 * Markup written in the code, as a fragment: the argument must be a string literal type (a
 * constant without interpolations), so text built from data is a type error here.
 */
export function raw<T extends string>(markup: T & (string extends T ? never : unknown)): SafeHtml {
  return new Fragment(markup);
}

/** The items with a separator between them (text, escaped like any interpolation). */
export function joinHtml(items: readonly Interpolation[], separator: string): SafeHtml {
  return new Fragment(items.map((v) => render(v, 'text')).join(escapeText(separator)));
}

/**
 * An inline `<script>` (a classic or a module script) with its source as is: the source is
 * code read from the package (chart.js, the page script), checked for what would end the
 * element early or open a comment-like state in it.
 */
export function inlineScript(source: string, kind: 'classic' | 'module'): SafeHtml {
  if (/<\/script|<!--/i.test(source)) {
    throw new Error('a script that contains </script or <!-- cannot be inlined as is');
  }
  return new Fragment(`<script${kind === 'module' ? ' type="module"' : ''}>${source}</script>`);
}

/**
 * Data as JSON in a `<script type="application/json">`, which the browser never runs. Only
 * `</script` or `<!--` could end or confuse the element, and both need `<`: every `<` (and `>`,
 * `&`) becomes a \u escape, equal for JSON.parse and inert for the HTML parser; U+2028/2029 too,
 * so the text is also a valid JS literal.
 */
export function jsonScript(id: string, value: unknown): SafeHtml {
  const json = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return html`<script type="application/json" id="${id}">${new Fragment(json)}</script>`;
}
