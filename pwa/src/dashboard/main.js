// The dashboards' charts (server/templates/dashboards/_table.html): each <figure data-chart>
// names a JSON data island holding the same figures as the table next to it. The table is the
// source of truth and what a screen reader reads: the chart is hidden from assistive technology.
import * as Plot from "@observablehq/plot";

const GREY = "#d0d0d0";

function heatmap(data) {
  // data.cells: [{row, column, value (0–1) or null when too few answers, n}]
  return Plot.plot({
    marginLeft: 160,
    marginBottom: 80,
    padding: 0.05,
    x: { label: null, domain: data.columns, tickRotate: -30 },
    y: { label: null, domain: data.rows },
    color: { type: "linear", domain: [0, 1], scheme: "blues", legend: true, label: "Retention" },
    marks: [
      // Too few answers: a grey cell with its count, as in the table.
      Plot.cell(data.cells.filter((d) => d.value === null), { x: "column", y: "row", fill: GREY }),
      Plot.cell(data.cells.filter((d) => d.value !== null), { x: "column", y: "row", fill: "value" }),
      Plot.text(data.cells, {
        x: "column",
        y: "row",
        text: (d) => (d.value === null ? `n=${d.n}` : `${Math.round(d.value * 100)}%`),
        fill: (d) => (d.value !== null && d.value > 0.6 ? "white" : "black"),
      }),
    ],
  });
}

function lines(data) {
  // data.points: [{series, x (week start, YYYY-MM-DD), value (0–1) or null, low, high}]
  // Every week with answers, its 95 % interval as a vertical rule: few answers, a long rule.
  const shown = data.points.filter((p) => p.value !== null).map((p) => ({ ...p, x: new Date(p.x) }));
  return Plot.plot({
    marginLeft: 50,
    y: { domain: [0, 1], label: "Retention (0 = chance)", grid: true, tickFormat: (v) => `${Math.round(v * 100)}%` },
    x: { label: "Week", type: "utc" },
    color: { legend: true },
    marks: [
      Plot.ruleX(shown, { x: "x", y1: (d) => d.low, y2: (d) => d.high, stroke: "series", strokeOpacity: 0.4 }),
      Plot.line(shown, { x: "x", y: "value", stroke: "series", marker: "circle" }),
    ],
  });
}

function scatter(data) {
  // data: {x: label, y: label, points: [{x (proficiency, guess-corrected), y (a result), label (rep)}]}
  return Plot.plot({
    grid: true,
    x: { label: data.x, percent: true },
    y: { label: data.y },
    marks: [Plot.dot(data.points, { x: "x", y: "y", title: "label" })],
  });
}

function trend(data) {
  // data.points: [{series, x (YYYY-MM-DD), value (0–1) or null}], data.label: the y axis
  const shown = data.points.filter((p) => p.value !== null).map((p) => ({ ...p, x: new Date(p.x) }));
  return Plot.plot({
    y: { domain: [0, 1], label: data.label, percent: true, grid: true },
    x: { label: "Day", type: "utc" },
    color: { legend: true },
    marks: [Plot.line(shown, { x: "x", y: "value", stroke: "series", marker: "circle" })],
  });
}

function bars(data) {
  // data.bars: [{label, value (a count or 0–1), n}], data.label: the x axis, data.percent
  return Plot.plot({
    marginLeft: 220,
    x: { label: data.label, percent: Boolean(data.percent), grid: true },
    y: { label: null, domain: data.bars.map((b) => b.label) },
    marks: [Plot.barX(data.bars, { x: "value", y: "label", fill: "steelblue" }), Plot.ruleX([0])],
  });
}

const KINDS = { heatmap, lines, scatter, trend, bars };

export function drawCharts(root = document) {
  for (const figure of root.querySelectorAll("figure[data-chart]")) {
    const draw = KINDS[figure.dataset.chart];
    const source = document.getElementById(figure.dataset.source);
    if (!draw || !source) continue;
    const chart = draw(JSON.parse(source.textContent));
    // Plot adds <style> elements, which the strict CSP (style-src 'self') would refuse: they are
    // removed before the chart enters the page, and /static/dashboards.css styles it instead.
    for (const style of chart.querySelectorAll("style")) style.remove();
    chart.setAttribute("aria-hidden", "true");
    figure.append(chart);
  }
}

drawCharts();
