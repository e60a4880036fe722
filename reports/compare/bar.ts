/**
 * One row's interval against the band, as inline SVG on the page's axis (axis.ts): the axis a
 * faint line, the band a grey box, the band's centre a dashed line, the interval a thick line, the estimate a dot, in
 * the colour of the row's verdict (the SVG takes `currentColor` from its verdict class). Outer
 * zones, when the page has them, follow a break mark (//) and end in a label.
 */
import type { CompareRow } from '../../harness/compare/compare.js';
import { fmtEstimate, fmtInterval } from '../../harness/compare/format.js';
import { html, type SafeHtml } from '../safe-html.js';
import { endLabel, type PageAxis, place, type ScaleAxis } from './axis.js';

const PAD = 3;
const MIDDLE = 150;
const GAP = 10;
const ZONE = 48;
const LABEL = 30;
const H = 18;
const MID_Y = H / 2;

/** Pixel positions of the page's zones. */
export interface Geometry {
  width: number;
  /** Left and right ends of the middle zone. */
  left: number;
  right: number;
  low: boolean;
  high: boolean;
}

export function geometry(axis: Pick<PageAxis, 'low' | 'high'>): Geometry {
  const left = PAD + (axis.low ? LABEL + ZONE + GAP : 0);
  const right = left + MIDDLE;
  return { width: right + (axis.high ? GAP + ZONE + LABEL : 0) + PAD, left, right, ...axis };
}

/** The x of value `v` on scale axis `a` drawn with geometry `g`. */
export function xOf(a: ScaleAxis, g: Geometry, v: number): number {
  const p = place(a, v);
  if (p.zone === 'middle') return g.left + p.at * MIDDLE;
  return p.zone === 'high' ? g.right + GAP + p.at * ZONE : g.left - GAP - p.at * ZONE;
}

const f = (n: number) => n.toFixed(1);

/** An outer zone: a faint axis line after a break mark, and its end's label. */
function outerZone(a: ScaleAxis, g: Geometry, side: 'low' | 'high'): SafeHtml | null {
  const end = side === 'low' ? a.lowEnd : a.highEnd;
  if (end === null) return null;
  const dir = side === 'high' ? 1 : -1;
  const edge = side === 'high' ? g.right : g.left;
  const from = edge + dir * GAP;
  const to = from + dir * ZONE;
  const mark = (x: number) => html`<path d="M${f(x - 2)},${MID_Y + 5} l4,-10" stroke="#7b7d7d"/>`;
  return html`<line x1="${f(edge)}" y1="${MID_Y}" x2="${f(to)}" y2="${MID_Y}" stroke="#d5d8dc"/>${mark(edge + dir * 3)}${mark(edge + dir * 7)}<text x="${f(to + dir * 3)}" y="${MID_Y + 4}" font-size="10" fill="#566573" text-anchor="${side === 'high' ? 'start' : 'end'}">${endLabel(a, end)}</text>`;
}

/** The row's interval, estimate and band on the page's axis for the row's scale. */
export function rowSvg(row: CompareRow, a: ScaleAxis, g: Geometry): SafeHtml {
  const x = (v: number) => f(xOf(a, g, v));
  const centre = (row.band.low + row.band.high) / 2;
  const interval =
    row.low !== null &&
    row.high !== null &&
    html`<line x1="${x(row.low)}" y1="${MID_Y}" x2="${x(row.high)}" y2="${MID_Y}" stroke="currentColor" stroke-width="3"/>`;
  const estimate =
    row.estimate !== null &&
    html`<circle cx="${x(row.estimate)}" cy="${MID_Y}" r="3.5" fill="currentColor"/>`;
  const scaleNote = g.low || g.high ? ', log scale beyond the break' : '';
  const title = `${fmtEstimate(row, row.estimate)} [${fmtInterval(row, row.low, row.high)}], band ${row.band.text}${scaleNote}`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="bar ${row.verdict}" width="${g.width}" height="${H}" viewBox="0 0 ${g.width} ${H}" role="img"><title>${title}</title><line x1="${f(g.left)}" y1="${MID_Y}" x2="${f(g.right)}" y2="${MID_Y}" stroke="#d5d8dc"/><rect x="${x(row.band.low)}" y="2" width="${f(xOf(a, g, row.band.high) - xOf(a, g, row.band.low))}" height="${H - 4}" fill="#e5e8e8"/><line x1="${x(centre)}" y1="1" x2="${x(centre)}" y2="${H - 1}" stroke="#909497" stroke-dasharray="2,2"/>${g.low && outerZone(a, g, 'low')}${g.high && outerZone(a, g, 'high')}${interval}${estimate}</svg>`;
}
