// The "Choose a base" calculator: the math of analysis.choose_base / analysis.bounds in plain JavaScript
// (a classic script: it runs from file:// and offline), and a small form that shows it. Tested against
// the Python package in headless Chromium (tests/choose_base/test_calculator_js.py).
//
//   RopeCalc.compute({L, d, N, eps, dtype, base, orig}, data) -> bounds, Men et al.'s minimum base from the
//     shipped curve, the largest lower bound and the closed-form settings that reach it
//   RopeCalc.menB(m, base, d)            -> B(m) = sum_i cos(m theta_i), theta_i = base^(-2i/d)
//   RopeCalc.lookupMinBase(L, d, curves) -> the shipped curve's minimum base (null outside it)
//   RopeCalc.mount(element, data)        -> the interactive form (inputs, tables, B(m) plot)
(function (root) {
  "use strict";

  function lookupMinBase(L, d, curves) {
    const c = curves[String(d)];
    if (!c || !Number.isInteger(L) || L < c.from[0] || L > c.to) return null;
    let lo = 0, hi = c.from.length - 1;  // last piece whose start is <= L
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c.from[mid] <= L) lo = mid; else hi = mid - 1;
    }
    return c.base[lo];
  }

  function exactFromPaper(paper, d) { return Math.pow(paper, d / (d - 2)); }

  function compute(p, data) {
    const { L, d, N, eps, dtype, base, orig } = p;
    const form = (paper) => ({ paper: paper, exact: exactFromPaper(paper, d) });
    const bounds = {
      aliasing: form(L / (2 * Math.PI)),
      dc: form(L / Math.acos(eps)),
      depth: form(L / Math.acos(Math.pow(eps, 1 / N))),
    };
    const em = data.eps_mach[dtype];
    const wall = { paper: 1 / em, exact: Math.pow(em, -d / (d - 2)), eps_mach: em };
    const men = lookupMinBase(L, d, data.curves);
    const candidates = [["aliasing", bounds.aliasing.exact], ["dc", bounds.dc.exact], ["depth", bounds.depth.exact]];
    if (men !== null) candidates.push(["men", men]);
    let largest = candidates[0];
    for (const c of candidates) if (c[1] > largest[1]) largest = c;
    const out = { bounds: bounds, wall: wall, men: men, largest: largest[0], largest_base: largest[1],
                  feasible: largest[1] < wall.exact };
    if (base > 1 && orig >= 1) out.closed = closedForm(largest[1], base, d, L, orig);
    return out;
  }

  // settings whose lowest frequency equals that of an unscaled RoPE with the target base
  // (analysis.choose_base.suggest.closed_form_settings)
  function closedForm(target, base, d, L, orig) {
    const ratio = Math.pow(target / base, (d - 2) / d);
    return { rope_theta: target, linear: ratio, dynamic: L > orig ? (ratio - 1) / (L / orig - 1) : NaN };
  }

  function thetas(base, d) {
    const t = new Float64Array(d / 2);
    for (let i = 0; i < d / 2; i++) t[i] = Math.pow(base, -2 * i / d);
    return t;
  }

  function menB(m, base, d) {
    const t = thetas(base, d);
    let s = 0;
    for (let i = 0; i < t.length; i++) s += Math.cos(m * t[i]);
    return s;
  }

  // min and max of B over `bins` equal ranges of m = 0..L; every m up to 2^18 distances, beyond that
  // every k-th distance (said on the plot)
  function menCurve(base, d, L, bins) {
    const t = thetas(base, d);
    const step = Math.max(1, Math.ceil((L + 1) / 262144));
    const lo = new Float64Array(bins).fill(Infinity), hi = new Float64Array(bins).fill(-Infinity);
    let minB = Infinity, firstNeg = null;
    for (let m = 0; m <= L; m += step) {
      let s = 0;
      for (let i = 0; i < t.length; i++) s += Math.cos(m * t[i]);
      const b = Math.min(bins - 1, Math.floor(m / (L + 1) * bins));
      if (s < lo[b]) lo[b] = s;
      if (s > hi[b]) hi[b] = s;
      if (s < minB) minB = s;
      if (s < 0 && firstNeg === null) firstNeg = m;
    }
    return { lo: lo, hi: hi, step: step, minB: minB, firstNeg: firstNeg };
  }

  // ---------------------------------------------------------------------------------------------- UI
  function sci(x) {
    if (x === null || x === undefined || !isFinite(x)) return "–";
    if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) {
      const e = Math.floor(Math.log10(Math.abs(x)));
      const sup = String(e).replace(/[-0-9]/g, (c) => "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"["-0123456789".indexOf(c)]);
      return (x / Math.pow(10, e)).toFixed(2) + "×10" + sup;  // as the report's tables write it (6.54×10⁷)
    }
    return Number(x.toPrecision(4)).toLocaleString("en-US");
  }

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    for (const c of children || []) e.append(c);
    return e;
  }

  function table(head, rows) {
    return el("table", { class: "table table-sm rope-calc-table" }, [
      el("thead", {}, [el("tr", {}, head.map((h) => el("th", {}, [h])))]),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, [String(c)]))))),
    ]);
  }

  function plot(curve, L, width, height) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", width); svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("class", "rope-calc-plot");
    let ymin = 0, ymax = 0;
    for (let i = 0; i < curve.lo.length; i++) {
      if (isFinite(curve.lo[i])) ymin = Math.min(ymin, curve.lo[i]);
      if (isFinite(curve.hi[i])) ymax = Math.max(ymax, curve.hi[i]);
    }
    const pad = 30, w = width - 2 * pad, h = height - 2 * pad;
    const x = (i) => pad + (i / (curve.lo.length - 1)) * w;
    const y = (v) => pad + (ymax - v) / (ymax - ymin || 1) * h;
    let d = "";
    for (let i = 0; i < curve.lo.length; i++) if (isFinite(curve.hi[i])) d += (d ? "L" : "M") + x(i) + "," + y(curve.hi[i]);
    for (let i = curve.lo.length - 1; i >= 0; i--) if (isFinite(curve.lo[i])) d += "L" + x(i) + "," + y(curve.lo[i]);
    const area = document.createElementNS(ns, "path");
    area.setAttribute("d", d + "Z"); area.setAttribute("fill", "#4c78a8"); area.setAttribute("stroke", "#4c78a8");
    const zero = document.createElementNS(ns, "line");
    zero.setAttribute("x1", pad); zero.setAttribute("x2", pad + w); zero.setAttribute("y1", y(0)); zero.setAttribute("y2", y(0));
    zero.setAttribute("stroke", "#d62728");
    const g = document.createElementNS(ns, "g");
    g.setAttribute("class", "mark-area");
    g.append(area, zero);
    svg.append(g);
    const label = (txt, lx, ly, anchor) => {
      const t = document.createElementNS(ns, "text");
      t.setAttribute("x", lx); t.setAttribute("y", ly); t.setAttribute("font-size", "11");
      t.setAttribute("text-anchor", anchor || "start"); t.textContent = txt; svg.append(t);
    };
    label("B(m)", 2, 12); label(sci(ymax), 2, pad + 4); label(sci(ymin), 2, pad + h);
    label("m = 0", pad, height - 6); label("m = " + L.toLocaleString("en-US"), pad + w, height - 6, "end");
    return svg;
  }

  const FIELDS = [
    ["L", "target context L (tokens)"], ["d", "rotary dims d"], ["N", "layers N"], ["eps", "coherence ε"],
    ["base", "current base (rope_theta)"], ["orig", "original context L0 (tokens)"],
  ];
  const NAMES = { men: "Men et al. (B(m) ≥ 0)", aliasing: "aliasing", dc: "DC stability", depth: "depth-compounded" };

  function mount(root, data) {
    const defs = data.defaults;
    const values = { L: defs.context_length, d: defs.head_dim, N: defs.layers, eps: defs.epsilon, base: defs.base,
                     orig: defs.original_context, dtype: defs.dtype };
    const form = el("form", { class: "rope-calc-form" }, []);
    const out = el("div", { class: "rope-calc-out" }, []);
    for (const [key, text] of FIELDS) {
      const input = el("input", { type: "number", name: key, value: String(values[key]), step: "any" }, []);
      form.append(el("label", {}, [text + " ", input]), " ");
    }
    const sel = el("select", { name: "dtype" }, Object.keys(data.eps_mach).map((k) => el("option", { value: k }, [k])));
    sel.value = values.dtype;
    form.append(el("label", {}, ["number format ", sel]));
    root.append(form, out);

    function update() {
      const v = {};
      for (const [key] of FIELDS) v[key] = Number(form.elements[key].value);
      v.dtype = sel.value;
      out.replaceChildren();
      const bad = [];
      if (!(Number.isInteger(v.L) && v.L >= 2)) bad.push("L must be a whole number ≥ 2");
      if (!(Number.isInteger(v.d) && v.d >= 4 && v.d % 2 === 0)) bad.push("d must be an even integer ≥ 4");
      if (!(Number.isInteger(v.N) && v.N >= 1)) bad.push("N must be a positive integer");
      if (!(v.eps > 0 && v.eps < 1)) bad.push("ε must lie strictly between 0 and 1");
      if (!(v.base > 1)) bad.push("the base must be > 1");
      if (bad.length) { out.append(el("p", { class: "rope-calc-error" }, [bad.join("; ")])); return; }
      const r = compute(v, data);
      const rows = Object.keys(r.bounds).map((k) => [NAMES[k], sci(r.bounds[k].exact), sci(r.bounds[k].paper)]);
      rows.unshift([NAMES.men, r.men === null ? "not shipped for this (L, d): run `python -m analysis suggest`" : sci(r.men), "–"]);
      out.append(table(["minimum base by", "exact", "paper form"], rows));
      out.append(el("p", {}, ["Largest lower bound: " + NAMES[r.largest] + ", base ≥ " + sci(r.largest_base) +
        ". Precision wall (" + v.dtype + "): base < " + sci(r.wall.exact) + " (paper form " + sci(r.wall.paper) + ")" +
        (r.feasible ? "." : ": no base meets both.")]));
      if (r.closed) {
        const c = r.closed;
        out.append(table(["to reach base " + sci(r.largest_base) + " from " + sci(v.base), "setting"], [
          ["raise rope_theta", "rope_theta = " + sci(c.rope_theta)],
          ["linear (same lowest frequency)", "factor = " + (c.linear >= 1 ? c.linear.toPrecision(5) : "1 (met without scaling)")],
          ["dynamic NTK at L (same lowest frequency)", "factor = " + (isFinite(c.dynamic) ? (c.dynamic >= 1 ? c.dynamic.toPrecision(5) : "1 (met without scaling)") : "L ≤ L0")],
        ]));
      }
      const curve = menCurve(v.base, v.d, v.L, 400);
      out.append(el("p", {}, ["B(m) for the current base " + sci(v.base) + " up to L: " +
        (curve.firstNeg === null ? "B(m) ≥ 0 at every distance computed" : "first B(m) < 0 at m = " + curve.firstNeg.toLocaleString("en-US")) +
        (curve.step > 1 ? " (every " + curve.step + "th distance computed)" : "") + "."]));
      out.append(plot(curve, v.L, 640, 220));
    }
    form.addEventListener("input", update);
    form.addEventListener("submit", (e) => e.preventDefault());
    update();
    return { update: update, form: form };
  }

  const api = { compute: compute, closedForm: closedForm, lookupMinBase: lookupMinBase, menB: menB, menCurve: menCurve,
                mount: mount };
  root.RopeCalc = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
