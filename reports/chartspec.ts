/**
 * The declarative chart descriptions embedded in report.html as JSON. The page's script
 * (client.ts) turns each into a chart.js chart on the canvas with the same id. Every label
 * here is drawn on a canvas by chart.js, never inserted as HTML.
 */

export interface DatasetSpec {
  label: string;
  color: string;
  /** Flat x,y pairs: [x0, y0, x1, y1, ...]; a null y breaks the line (a gap between trials). */
  xy?: (number | null)[];
  /** Values for a category x axis, one per label. */
  y?: (number | null)[];
  dash?: boolean;
  /** Fill down to the previous dataset: the upper edge of an interval band. */
  fillToPrevious?: boolean;
  /** Not in the legend and drawn without a line (the lower edge of a band). */
  hidden?: boolean;
  /** Draw points (for few values, such as one per cell). */
  points?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** `percentile`: x is -log10(1 - p), ticks labelled 50%, 90%, 99%, 99.9%. */
  x: { type: 'linear' | 'category' | 'percentile'; title: string; labels?: string[] };
  y: { type: 'linear' | 'logarithmic'; title: string; beginAtZero?: boolean };
  datasets: DatasetSpec[];
  /** Draw the run's trial boundaries (ReportData.boundaries) as labelled vertical lines. */
  boundaries?: boolean;
  /** A dashed horizontal reference line (1.0 for ratios). */
  refY?: number;
}

export interface ReportData {
  /** Start of each trial on the time-series x axis (seconds), with the trial's name. */
  boundaries: { x: number; label: string }[];
  /** End of the last trial on that axis (seconds). */
  endX: number;
  charts: ChartSpec[];
}

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
];

export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

/** Four significant digits: enough to draw, and keeps the embedded JSON small. */
export function round4(v: number): number {
  return Number(v.toPrecision(4));
}
