// Small SVG line charts for the history (no chart library: nothing to download, nothing from a CDN).
"use strict";
const SVG_NS = "http://www.w3.org/2000/svg";

function svgEl(name, attrs, text) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Draws series of {t: Date, v: number|null} over [from, to]. A gap longer than `gapMs` breaks the
 * line, so missing data never looks like a straight ramp. `hline` draws a dashed reference line.
 */
function plotLines(svg, series, { from, to, min, max, gapMs, hline, unit }) {
  const [w, h] = svg.getAttribute("viewBox").split(" ").slice(2).map(Number);
  const left = 44, right = 8, top = 8, bottom = 20;
  const values = series.flatMap((s) => s.points.map((p) => p.v)).filter((v) => v != null);
  let lo = min ?? Math.min(0, ...values), hi = max ?? Math.max(0.1, ...values);
  if (hi - lo < 1e-9) hi = lo + 1;
  const x = (t) => left + ((t - from) / (to - from)) * (w - left - right);
  const y = (v) => top + (1 - (v - lo) / (hi - lo)) * (h - top - bottom);
  svg.replaceChildren();
  for (const v of [lo, (lo + hi) / 2, hi]) {
    svg.append(svgEl("line", { x1: left, x2: w - right, y1: y(v), y2: y(v), class: "gridline" }));
    svg.append(svgEl("text", { x: left - 4, y: y(v) + 4, class: "axis", "text-anchor": "end" }, `${v.toFixed(1)}${unit ?? ""}`));
  }
  for (const [t, anchor] of [[from, "start"], [new Date((+from + +to) / 2), "middle"], [to, "end"]])
    svg.append(svgEl("text", { x: x(t), y: h - 4, class: "axis", "text-anchor": anchor }, t.toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" })));
  if (hline != null) svg.append(svgEl("line", { x1: left, x2: w - right, y1: y(hline), y2: y(hline), class: "hline" }));
  for (const s of series) {
    let d = "", prev = null;
    for (const p of s.points) {
      if (p.v == null) { prev = null; continue; }
      const move = prev == null || p.t - prev > gapMs;
      d += `${move ? "M" : "L"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)} `;
      prev = p.t;
    }
    svg.append(svgEl("path", { d, class: `series ${s.cls}` }));
  }
}
