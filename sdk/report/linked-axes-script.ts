/**
 * The small browser script that links the time axes of the diagnostics report's charts: drag on
 * any chart to brush a range, wheel to zoom around the pointer, double-click or "Reset" to restore.
 * Every chart is rendered server-side with the same width, margins and x-domain, so one mapping
 * serves all; the script moves the marks (circles, lines, rects, symbol paths, line paths) rather
 * than re-rendering, clips them to the plot area, and redraws its own x axis while zoomed.
 * Each chart container carries its current domain in `data-domain` ("x0,x1", seconds).
 */
export const LINKED_AXES_SCRIPT = String.raw`(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var charts = Array.prototype.slice.call(document.querySelectorAll(".lx-chart"));
  if (!charts.length) return;
  var c0 = charts[0];
  var X0 = +c0.dataset.x0, X1 = +c0.dataset.x1, ML = +c0.dataset.ml, MR = +c0.dataset.mr, W = +c0.dataset.width;
  var domain = [X0, X1];
  var AXIS = /^(x-axis|y-axis|fx-axis|fy-axis|x-grid|y-grid|chart-header)/;
  function px(t, d) { return ML + (t - d[0]) / (d[1] - d[0]) * (W - ML - MR); }
  function tx(t) { return px(t, domain); }
  function inv(x) { return domain[0] + (x - ML) / (W - ML - MR) * (domain[1] - domain[0]); }
  function fmt(s) {
    s = Math.max(0, Math.round(s));
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), x = s % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m + ":" + (x < 10 ? "0" : "") + x;
  }
  function origX(t0) { return px(t0, [X0, X1]); }
  function orig(el, name) {
    var k = "lx" + name;
    if (el.dataset[k] === undefined) el.dataset[k] = el.getAttribute(name) || "";
    return el.dataset[k];
  }
  // A pixel position x rendered at the full domain → its pixel position at the current domain.
  function remap(x) { return tx(X0 + (x - ML) / (W - ML - MR) * (X1 - X0)); }
  function setup(chart, i) {
    var svg = chart.querySelector(".lx-plot > svg");
    var H = +svg.getAttribute("height") || svg.viewBox.baseVal.height;
    var defs = document.createElementNS(SVGNS, "defs");
    var cp = document.createElementNS(SVGNS, "clipPath");
    cp.setAttribute("id", "lx-clip-" + i);
    var r = document.createElementNS(SVGNS, "rect");
    r.setAttribute("x", ML); r.setAttribute("y", 0); r.setAttribute("width", W - ML - MR); r.setAttribute("height", H);
    cp.appendChild(r); defs.appendChild(cp); svg.insertBefore(defs, svg.firstChild);
    chart._marks = [];
    Array.prototype.forEach.call(svg.children, function (g) {
      var label = g.getAttribute("aria-label") || "";
      if (g.tagName.toLowerCase() !== "g" || AXIS.test(label) || label.indexOf("rule") === 0 && g.dataset.lxStatic !== undefined) return;
      g.setAttribute("clip-path", "url(#lx-clip-" + i + ")");
      chart._marks.push(g);
    });
    chart._plotAxis = Array.prototype.filter.call(svg.children, function (g) { return /^x-axis/.test(g.getAttribute("aria-label") || ""); });
    var axis = document.createElementNS(SVGNS, "g");
    axis.setAttribute("class", "lx-axis");
    axis.setAttribute("font-size", "10"); axis.setAttribute("font-family", "system-ui, sans-serif");
    axis.style.display = "none";
    svg.appendChild(axis);
    chart._axis = axis; chart._H = H; chart._mb = +chart.dataset.mb;
    var brush = document.createElementNS(SVGNS, "rect");
    brush.setAttribute("class", "lx-brush"); brush.setAttribute("y", 0); brush.setAttribute("height", H);
    brush.setAttribute("fill", "steelblue"); brush.setAttribute("fill-opacity", "0.15"); brush.setAttribute("width", 0);
    svg.appendChild(brush);
    var overlay = document.createElementNS(SVGNS, "rect");
    overlay.setAttribute("class", "lx-overlay");
    overlay.setAttribute("x", ML); overlay.setAttribute("y", 0); overlay.setAttribute("width", W - ML - MR); overlay.setAttribute("height", H);
    overlay.setAttribute("fill", "transparent"); overlay.style.cursor = "crosshair";
    svg.appendChild(overlay);
    var start = null;
    function localX(ev) {
      var b = svg.getBoundingClientRect();
      var scale = b.width / (+svg.getAttribute("width") || b.width);
      return (ev.clientX - b.left) / scale;
    }
    overlay.addEventListener("mousedown", function (ev) { start = localX(ev); brush.setAttribute("x", start); brush.setAttribute("width", 0); ev.preventDefault(); });
    window.addEventListener("mousemove", function (ev) {
      if (start === null) return;
      var x = Math.max(ML, Math.min(W - MR, localX(ev)));
      brush.setAttribute("x", Math.min(start, x)); brush.setAttribute("width", Math.abs(x - start));
    });
    window.addEventListener("mouseup", function (ev) {
      if (start === null) return;
      var x = Math.max(ML, Math.min(W - MR, localX(ev)));
      var a = Math.min(start, x), b = Math.max(start, x);
      start = null; brush.setAttribute("width", 0);
      if (b - a >= 3) setDomain([inv(a), inv(b)]);
    });
    overlay.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var t = inv(localX(ev)), f = ev.deltaY > 0 ? 1.25 : 0.8;
      setDomain([t - (t - domain[0]) * f, t + (domain[1] - t) * f]);
    }, { passive: false });
    overlay.addEventListener("dblclick", function () { setDomain([X0, X1]); });
  }
  function drawAxis(chart) {
    var axis = chart._axis, zoomed = domain[0] !== X0 || domain[1] !== X1;
    chart._plotAxis.forEach(function (g) { g.style.display = zoomed ? "none" : ""; });
    axis.style.display = zoomed ? "" : "none";
    while (axis.firstChild) axis.removeChild(axis.firstChild);
    if (!zoomed) return;
    var y = chart._H - chart._mb, span = domain[1] - domain[0];
    var steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400], step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) if (span / steps[i] <= 8) { step = steps[i]; break; }
    for (var t = Math.ceil(domain[0] / step) * step; t <= domain[1]; t += step) {
      var x = tx(t);
      var l = document.createElementNS(SVGNS, "line");
      l.setAttribute("x1", x); l.setAttribute("x2", x); l.setAttribute("y1", y); l.setAttribute("y2", y + 6); l.setAttribute("stroke", "currentColor");
      var s = document.createElementNS(SVGNS, "text");
      s.setAttribute("x", x); s.setAttribute("y", y + 17); s.setAttribute("text-anchor", "middle"); s.setAttribute("fill", "currentColor");
      s.textContent = fmt(t);
      axis.appendChild(l); axis.appendChild(s);
    }
  }
  var TR = /translate\(\s*([-\d.eE]+)[ ,]+([-\d.eE]+)\s*\)/;
  function redraw(chart) {
    var k = (X1 - X0) / (domain[1] - domain[0]);
    chart._marks.forEach(function (g) {
      Array.prototype.forEach.call(g.querySelectorAll("circle,line,rect,path,text"), function (el) {
        var tag = el.tagName.toLowerCase();
        if (tag === "circle") el.setAttribute("cx", remap(+orig(el, "cx")));
        else if (tag === "line") {
          var x1 = +orig(el, "x1"), x2 = +orig(el, "x2");
          if (x1 === ML && x2 === W - MR) return; // a full-width horizontal rule (SLA, capacity)
          el.setAttribute("x1", remap(x1)); el.setAttribute("x2", remap(x2));
        } else if (tag === "rect") {
          var x = +orig(el, "x"), w = +orig(el, "width");
          el.setAttribute("x", remap(x)); el.setAttribute("width", Math.max(0, remap(x + w) - remap(x)));
        } else if (tag === "path" || tag === "text") {
          var t = orig(el, "transform"), m = TR.exec(t);
          if (m) el.setAttribute("transform", t.replace(TR, "translate(" + remap(+m[1]) + "," + m[2] + ")"));
          else if (tag === "path") {
            var a = remap(ML), b = remap(ML + 1) - a;
            el.setAttribute("transform", "matrix(" + b + ",0,0,1," + (a - ML * b) + ",0)");
            el.style.vectorEffect = "non-scaling-stroke";
          }
        }
      });
    });
    drawAxis(chart);
    chart.dataset.domain = domain[0] + "," + domain[1];
    void k;
  }
  function setDomain(d) {
    var a = Math.max(X0, d[0]), b = Math.min(X1, d[1]);
    if (!(b > a)) { a = X0; b = X1; }
    domain = [a, b];
    charts.forEach(redraw);
    var label = document.getElementById("lx-range");
    if (label) label.textContent = fmt(a) + " – " + fmt(b);
  }
  charts.forEach(setup);
  charts.forEach(function (c) { c.dataset.domain = X0 + "," + X1; });
  var reset = document.getElementById("lx-reset");
  if (reset) reset.addEventListener("click", function () { setDomain([X0, X1]); });
  window.__linkedAxes = { domain: function () { return domain.slice(); }, setDomain: setDomain, reset: function () { setDomain([X0, X1]); } };
})();`;
