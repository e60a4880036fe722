/**
 * The page's own script, as text: reads the embedded ReportData JSON and draws each ChartSpec
 * with chart.js (inlined before it). Kept as a constant string so its CSP hash is stable and
 * the page needs no 'unsafe-inline' for scripts. Animation is off: a chart is fully drawn when
 * the script returns (and the browser test can read its pixels right away).
 */
export const CLIENT_JS = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 11;
  Chart.defaults.maintainAspectRatio = false;

  function pairs(xy) {
    var out = [];
    for (var i = 0; i + 1 < xy.length; i += 2) out.push({ x: xy[i], y: xy[i + 1] });
    return out;
  }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function pctLabel(x) {
    var p = 100 * (1 - Math.pow(10, -x));
    return (Math.round(p * 10) / 10) + '%';
  }

  var boundaryPlugin = {
    id: 'isobenchBoundaries',
    afterDatasetsDraw: function (chart, args, opts) {
      if (!opts || !opts.show) return;
      var xs = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var list = data.boundaries;
      ctx.save();
      ctx.strokeStyle = 'rgba(0,0,0,0.3)';
      ctx.setLineDash([4, 3]);
      ctx.fillStyle = 'rgba(0,0,0,0.45)';
      ctx.font = '9px sans-serif';
      for (var i = 0; i < list.length; i++) {
        var px = xs.getPixelForValue(list[i].x);
        if (px < area.left - 1 || px > area.right + 1) continue;
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        if (list.length <= 16) {
          ctx.save();
          ctx.translate(px + 3, area.top + 4);
          ctx.rotate(Math.PI / 2);
          ctx.fillText(list[i].label, 0, 0);
          ctx.restore();
        }
      }
      ctx.restore();
    }
  };
  var refLinePlugin = {
    id: 'isobenchRefLine',
    afterDatasetsDraw: function (chart, args, opts) {
      if (!opts || typeof opts.y !== 'number') return;
      var y = chart.scales.y.getPixelForValue(opts.y), area = chart.chartArea, ctx = chart.ctx;
      if (y < area.top || y > area.bottom) return;
      ctx.save();
      ctx.strokeStyle = 'rgba(0,0,0,0.5)';
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(area.left, y);
      ctx.lineTo(area.right, y);
      ctx.stroke();
      ctx.restore();
    }
  };

  function build(spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    var category = spec.x.type === 'category';
    var datasets = spec.datasets.map(function (d) {
      return {
        label: d.label,
        data: category ? d.y : pairs(d.xy),
        borderColor: d.hidden ? 'rgba(0,0,0,0)' : d.color,
        backgroundColor: d.fillToPrevious ? alpha(d.color, 0.15) : d.color,
        borderWidth: d.hidden ? 0 : 1.5,
        borderDash: d.dash ? [5, 3] : [],
        pointRadius: d.points ? 3 : 0,
        pointHoverRadius: d.hidden ? 0 : 3,
        fill: d.fillToPrevious ? '-1' : false,
        spanGaps: false,
        isobenchHidden: !!d.hidden
      };
    });
    var xScale = { type: category ? 'category' : 'linear', title: { display: true, text: spec.x.title } };
    if (category) xScale.labels = spec.x.labels;
    if (spec.x.type === 'percentile') {
      xScale.min = Math.log10(2);
      xScale.max = 3;
      xScale.afterBuildTicks = function (axis) {
        axis.ticks = [Math.log10(2), 1, Math.log10(20), 2, Math.log10(200), 3].map(function (v) { return { value: v }; });
      };
      xScale.ticks = { callback: function (v) { return pctLabel(v); } };
    }
    if (spec.boundaries && data.boundaries.length > 0) {
      xScale.min = 0;
      xScale.max = data.endX;
    }
    var yScale = { type: spec.y.type, title: { display: true, text: spec.y.title } };
    if (spec.y.beginAtZero) yScale.beginAtZero = true;
    new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets, labels: category ? spec.x.labels : undefined },
      options: {
        responsive: true,
        parsing: category ? undefined : false,
        normalized: true,
        interaction: { mode: 'nearest', intersect: false },
        scales: { x: xScale, y: yScale },
        plugins: {
          title: { display: true, text: spec.title },
          legend: {
            labels: { boxWidth: 14, filter: function (item, chartData) { return !chartData.datasets[item.datasetIndex].isobenchHidden; } }
          },
          tooltip: {
            filter: function (item) { return !item.dataset.isobenchHidden; },
            callbacks: spec.x.type === 'percentile' ? { title: function (items) { return items.length ? pctLabel(items[0].parsed.x) : ''; } } : {}
          },
          isobenchBoundaries: { show: !!spec.boundaries },
          isobenchRefLine: { y: typeof spec.refY === 'number' ? spec.refY : null }
        }
      },
      plugins: [boundaryPlugin, refLinePlugin]
    });
  }
  for (var i = 0; i < data.charts.length; i++) build(data.charts[i]);
  document.documentElement.setAttribute('data-charts-drawn', String(data.charts.length));
})();
`;
