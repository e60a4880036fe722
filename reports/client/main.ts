/**
 * The report page's own script: reads the embedded ReportData JSON and draws each ChartSpec with
 * chart.js, whose UMD bundle runs before it as a classic script and leaves the global `Chart`.
 * Built by scripts/build-client.mjs into dist/reports/client/main.js and inlined as a module
 * script (its own scope, strict); the page's CSP allows it by the hash of that file.
 * Type-checked with the DOM library (reports/client/tsconfig.json); it imports types only.
 * Animation is off: a chart is fully drawn when the script returns, so the browser test can read
 * its pixels right away.
 */
import type { ChartDataset, Chart as ChartJs, ChartOptions, Plugin, Point, Scale } from 'chart.js';
import type { ChartSpec, DatasetSpec, ReportData } from '../chartspec.js';

declare const Chart: typeof ChartJs;

type LineDataset = ChartDataset<'line', (number | null)[] | Point[]>;

/**
 * [x0, y0, x1, y1, ...] as points. A null y stays null: with spanGaps false chart.js draws it as
 * a gap (between trials), though its Point type says number.
 */
function pairs(xy: (number | null)[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i + 1 < xy.length; i += 2) out.push({ x: xy[i] as number, y: xy[i + 1] as number });
  return out;
}

function alpha(hex: string, a: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${a})`;
}

/** The percentile axis's x is -log10(1 - p): 1 -> 90%, 2 -> 99%. */
function pctLabel(x: number): string {
  const p = 100 * (1 - 10 ** -x);
  return `${Math.round(p * 10) / 10}%`;
}

/** The run's trial boundaries as dashed vertical lines, labelled when there are at most 16. */
function boundaryPlugin(list: ReportData['boundaries']): Plugin<'line'> {
  return {
    id: 'isobenchBoundaries',
    afterDatasetsDraw(chart) {
      const xs = chart.scales.x as Scale;
      const { chartArea: area, ctx } = chart;
      ctx.save();
      ctx.strokeStyle = 'rgba(0,0,0,0.3)';
      ctx.setLineDash([4, 3]);
      ctx.fillStyle = 'rgba(0,0,0,0.45)';
      ctx.font = '9px sans-serif';
      for (const b of list) {
        const px = xs.getPixelForValue(b.x);
        if (px < area.left - 1 || px > area.right + 1) continue;
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        if (list.length <= 16) {
          ctx.save();
          ctx.translate(px + 3, area.top + 4);
          ctx.rotate(Math.PI / 2);
          ctx.fillText(b.label, 0, 0);
          ctx.restore();
        }
      }
      ctx.restore();
    },
  };
}

/** A dashed horizontal line at `y` (1.0 on ratio charts). */
function refLinePlugin(y: number): Plugin<'line'> {
  return {
    id: 'isobenchRefLine',
    afterDatasetsDraw(chart) {
      const py = (chart.scales.y as Scale).getPixelForValue(y);
      const { chartArea: area, ctx } = chart;
      if (py < area.top || py > area.bottom) return;
      ctx.save();
      ctx.strokeStyle = 'rgba(0,0,0,0.5)';
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(area.left, py);
      ctx.lineTo(area.right, py);
      ctx.stroke();
      ctx.restore();
    },
  };
}

function dataset(d: DatasetSpec, category: boolean): LineDataset {
  return {
    label: d.label,
    data: category ? (d.y ?? []) : pairs(d.xy ?? []),
    borderColor: d.hidden ? 'rgba(0,0,0,0)' : d.color,
    backgroundColor: d.fillToPrevious ? alpha(d.color, 0.15) : d.color,
    borderWidth: d.hidden ? 0 : 1.5,
    borderDash: d.dash ? [5, 3] : [],
    pointRadius: d.points ? 3 : 0,
    pointHoverRadius: d.hidden ? 0 : 3,
    fill: d.fillToPrevious ? '-1' : false,
    spanGaps: false,
  };
}

type ScaleConfig = NonNullable<NonNullable<ChartOptions<'line'>['scales']>[string]>;

function xScale(spec: ChartSpec, data: ReportData): ScaleConfig {
  const title = { display: true, text: spec.x.title };
  if (spec.x.type === 'category') return { type: 'category', title };
  const range = spec.boundaries && data.boundaries.length > 0 ? { min: 0, max: data.endX } : {};
  if (spec.x.type !== 'percentile') return { type: 'linear', title, ...range };
  return {
    type: 'linear',
    title,
    min: Math.log10(2),
    max: 3,
    afterBuildTicks: (axis) => {
      axis.ticks = [Math.log10(2), 1, Math.log10(20), 2, Math.log10(200), 3].map((value) => ({ value }));
    },
    ticks: { callback: (v) => pctLabel(Number(v)) },
  };
}

function build(spec: ChartSpec, data: ReportData): void {
  const canvas = document.getElementById(spec.id);
  if (!(canvas instanceof HTMLCanvasElement)) return;
  const category = spec.x.type === 'category';
  const hidden = (i: number) => spec.datasets[i]?.hidden === true;
  const plugins: Plugin<'line'>[] = [];
  if (spec.boundaries) plugins.push(boundaryPlugin(data.boundaries));
  if (typeof spec.refY === 'number') plugins.push(refLinePlugin(spec.refY));
  new Chart(canvas, {
    type: 'line',
    data: {
      datasets: spec.datasets.map((d) => dataset(d, category)),
      ...(category ? { labels: spec.x.labels ?? [] } : {}),
    },
    options: {
      responsive: true,
      parsing: category ? undefined : false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: xScale(spec, data),
        y: {
          type: spec.y.type,
          title: { display: true, text: spec.y.title },
          ...(spec.y.beginAtZero ? { beginAtZero: true } : {}),
        },
      },
      plugins: {
        title: { display: true, text: spec.title },
        legend: { labels: { boxWidth: 14, filter: (item) => !hidden(item.datasetIndex ?? -1) } },
        tooltip: {
          filter: (item) => !hidden(item.datasetIndex),
          callbacks:
            spec.x.type === 'percentile'
              ? { title: (items) => (items[0] ? pctLabel(items[0].parsed.x ?? 0) : '') }
              : {},
        },
      },
    },
    plugins,
  });
}

const dataElement = document.getElementById('report-data');
if (!dataElement?.textContent) throw new Error('report.html: no #report-data element to draw from');
const data = JSON.parse(dataElement.textContent) as ReportData;
Chart.defaults.animation = false;
Chart.defaults.font.size = 11;
Chart.defaults.maintainAspectRatio = false;
for (const spec of data.charts) build(spec, data);
document.documentElement.setAttribute('data-charts-drawn', String(data.charts.length));
