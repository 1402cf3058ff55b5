// The HTML report's script: Ctrl/Shift + wheel zooms every timeline together around the pointer, dragging
// pans, a double-click or "whole capture" resets; axes and labels follow. Also sorts and filters the
// findings table. No network, no libraries.
//
// The page carries its numbers: data-* attributes on the SVG elements (times in epoch seconds) and the
// JSON in #tl-data (vrrpcap/render/html/_timeline.py). The tick and label rules below mirror
// vrrpcap/render/timeaxis.py and vrrpcap/render/labels.py, which drew the unzoomed view.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("tl-data").textContent);
  var X0 = data.view.x0, X1 = data.view.x1, W = data.view.width;
  var full = [data.view.t0, data.view.t1];
  var OFFSET = data.view.offset || 0; // seconds east of UTC of the zone the page shows times in
  var view = full.slice();
  var DAY = 86400;

  // -- the time axis (timeaxis.py) ---------------------------------------------------------------------
  function pad(n, w) { n = String(n); while (n.length < w) { n = "0" + n; } return n; }
  function hms(d) { return pad(d.getUTCHours(), 2) + ":" + pad(d.getUTCMinutes(), 2) + ":" + pad(d.getUTCSeconds(), 2); }
  function day(d) { return pad(d.getUTCFullYear(), 4) + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2); }
  function label(t, step, span) {
    var us = Math.round(t * 1e6), d = new Date(Math.floor(us / 1000));
    if (isNaN(d.getTime())) { return t.toFixed(3); }
    if (step >= DAY) { return day(d); }
    if (step < 1) { return hms(d) + "." + pad(((Math.floor(us / 1000) % 1000) + 1000) % 1000, 3); }
    if (span > data.ticks.longSpan) {
      return pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2) + " " + pad(d.getUTCHours(), 2) + ":" +
        pad(d.getUTCMinutes(), 2);
    }
    return hms(d);
  }
  function yearStart(year) { var d = new Date(0); d.setUTCFullYear(year, 0, 1); return d.getTime() / 1000; }
  // Ticks on the zone's round times: computed on times shifted by its offset, placed where they are.
  function ticks(t0, t1) {
    return zoneTicks(t0 + OFFSET, t1 + OFFSET).map(function (tick) { return [tick[0] - OFFSET, tick[1]]; });
  }
  function zoneTicks(t0, t1) {
    var limit = Math.max(2, Math.min(data.ticks.max, data.ticks.cap)), span = t1 - t0, out = [], i, k, t;
    if (!(span > 0)) { return out; }
    var step = null, steps = data.ticks.steps;
    for (i = 0; i < steps.length; i++) { if (span / steps[i] <= limit) { step = steps[i]; break; } }
    if (step !== null) {
      var first = Math.ceil(t0 / step) * step;
      var count = Math.min(Math.floor((t1 - first) / step) + 1, limit + 1);
      for (k = 0; k < count; k++) {
        t = first + k * step;
        if (t <= t1) { out.push([t, label(t, step, span)]); }
      }
      return out;
    }
    var y0 = new Date(t0 * 1000).getUTCFullYear(), y1 = new Date(t1 * 1000).getUTCFullYear();
    var years = data.ticks.yearSteps, every = years[years.length - 1];
    for (i = 0; i < years.length; i++) { if ((y1 - y0) / years[i] <= limit) { every = years[i]; break; } }
    for (var year = Math.ceil(y0 / every) * every; year <= y1 && out.length <= limit; year += every) {
      t = yearStart(year);
      if (year >= 1 && t0 <= t && t <= t1) { out.push([t, String(year)]); }
    }
    return out;
  }

  // -- label rules (labels.py) -------------------------------------------------------------------------
  var L = data.labels;
  function measure(text) { return text.length * L.charWidth; }
  function moreText(text, more) { return more ? text + " (+" + more + " more)" : text; }
  function fitting(texts, more, room) {
    for (var i = 0; i < texts.length; i++) {
      var t = moreText(texts[i], more);
      if (measure(t) <= room) { return t; }
    }
    return null;
  }
  // bars: [{x0, x1, texts, openL, openR}] of one row in time order -> [{text, x, anchor, inside} | null]
  function barLabels(row, left, right) {
    var out = [], freeFrom = left;
    for (var i = 0; i < row.length; i++) {
      var b = row[i], inside = null;
      for (var k = 0; k < b.texts.length; k++) {
        if (measure(b.texts[k]) + L.margin < b.x1 - b.x0) { inside = b.texts[k]; break; }
      }
      if (inside !== null) {
        out.push({text: inside, x: (b.x0 + b.x1) / 2, anchor: "middle", inside: true});
        freeFrom = Math.max(freeFrom, b.x1);
        continue;
      }
      var name = b.texts[b.texts.length - 1], need = measure(name) + L.margin;
      var nextStart = i + 1 < row.length ? row[i + 1].x0 : right;
      if (!b.openR && b.x1 + need <= nextStart) {
        out.push({text: name, x: b.x1 + L.margin / 2, anchor: "start", inside: false});
        freeFrom = b.x1 + need;
      } else if (!b.openL && b.x0 - need >= freeFrom) {
        out.push({text: name, x: b.x0 - L.margin / 2, anchor: "end", inside: false});
        freeFrom = Math.max(freeFrom, b.x1);
      } else {
        out.push(null);
        freeFrom = Math.max(freeFrom, b.x1);
      }
    }
    return out;
  }
  // marks: [{since, at, texts}] in time order; walls: [[a, b]] -> {index: {text, x, anchor}}
  function failoverLabels(marks, left, right, walls) {
    var n = marks.length, later = [], i, k;
    later[n] = Infinity;
    for (i = n - 1; i >= 0; i--) { later[i] = Math.min(marks[i].since, later[i + 1]); }
    walls = walls.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var out = {}, waiting = [], taken = left, text;
    for (i = 0; i < n; i++) {
      var m = marks[i];
      waiting.push(i);
      var begin = Math.max(m.at + L.gap, taken + L.gap), end = Math.min(later[i + 1], right + L.gap) - L.gap;
      for (k = 0; k < walls.length; k++) {
        if (walls[k][0] > begin) { end = Math.min(end, walls[k][0] - L.gap); break; }
        if (walls[k][1] > m.at) { end = begin; break; }
      }
      text = fitting(m.texts, waiting.length - 1, end - begin);
      if (text !== null) {
        out[i] = {text: text, x: begin, anchor: "start"};
        taken = begin + measure(text);
        waiting = [];
      }
    }
    if (waiting.length) {
      var first = waiting[0], last = waiting[waiting.length - 1], since = later[first];
      var tailEnd = since - L.gap, from = taken;
      if (first) { from = Math.max(from, marks[first - 1].at); }
      for (k = 0; k < walls.length; k++) {
        if (walls[k][1] <= since) { from = Math.max(from, walls[k][1]); }
        if (walls[k][0] < since && since < walls[k][1]) { tailEnd = Math.min(tailEnd, walls[k][0] - L.gap); }
      }
      text = fitting(marks[last].texts, waiting.length - 1, tailEnd - (from + L.gap));
      if (text !== null) { out[last] = {text: text, x: tailEnd, anchor: "end"}; }
    }
    return out;
  }

  // -- drawing -------------------------------------------------------------------------------------------
  var SVGNS = "http://www.w3.org/2000/svg";
  function num(el, name) { return parseFloat(el.getAttribute(name)); }
  function set(el, name, value) { el.setAttribute(name, value.toFixed(2)); }
  function show(el, text, x, anchor) {
    if (text === null) { el.setAttribute("visibility", "hidden"); return; }
    el.textContent = text;
    set(el, "x", x);
    el.setAttribute("text-anchor", anchor);
    el.setAttribute("visibility", "visible");
  }

  function drawAxis(svg, x) {
    var plotH = parseFloat(svg.dataset.plotH), axis = svg.querySelector("g.axis");
    while (axis.firstChild) { axis.removeChild(axis.firstChild); }
    var marks = ticks(view[0], view[1]);
    for (var i = 0; i < marks.length; i++) {
      var gx = x(marks[i][0]), words = marks[i][1], half = measure(words) / 2;
      var line = document.createElementNS(SVGNS, "line");
      line.setAttribute("class", "grid");
      set(line, "x1", gx); set(line, "x2", gx); line.setAttribute("y1", "0"); line.setAttribute("y2", plotH);
      axis.appendChild(line);
      if (gx - half < 0 || gx + half > W) { continue; }
      var text = document.createElementNS(SVGNS, "text");
      set(text, "x", gx); text.setAttribute("y", plotH + 15); text.setAttribute("text-anchor", "middle");
      text.textContent = words;
      axis.appendChild(text);
    }
  }

  function drawMarks(svg, x) {
    var els = svg.querySelectorAll("[data-t0],[data-t]");
    for (var j = 0; j < els.length; j++) {
      var el = els[j], tag = el.tagName.toLowerCase(), cls = el.getAttribute("class") || "";
      if (el.hasAttribute("data-t0")) {
        var a = x(num(el, "data-t0")), b = x(num(el, "data-t1"));
        if (tag === "line") { set(el, "x1", a); set(el, "x2", b); continue; }
        var w = Math.max(2, b - a);
        if (cls === "fade") {
          var fw = Math.min(w * 0.3, 40);
          set(el, "x", el.dataset.fade === "l" ? a : a + w - fw); set(el, "width", fw);
        } else {
          set(el, "x", a); set(el, "width", w);
        }
      } else {
        var p = x(num(el, "data-t"));
        if (tag === "line") { set(el, "x1", p); set(el, "x2", p); continue; }
        if (cls === "red-label") {
          set(el, "x", Math.min(p, X1) - 3);
        } else if (cls === "rule-label") {
          set(el, "x", Math.min(Math.max(x(num(el, "data-s")), X0) + 2, X1 - num(el, "data-w")));
        } else if (cls === "open") {
          set(el, "x", p + parseFloat(el.dataset.dx || "0"));
        }
      }
    }
  }

  function drawLabels(svg, x, lane) {
    var rows = {}, i, k;
    for (i = 0; i < lane.bars.length; i++) {
      var bar = lane.bars[i], x0 = x(bar[1]), x1 = Math.max(x0 + 2, x(bar[2]));
      // Only the part of a bar inside the view can carry a label; a cut edge counts as open.
      var lo = Math.max(x0, X0), hi = Math.min(x1, X1);
      (rows[bar[0]] = rows[bar[0]] || []).push({
        i: i, x0: lo, x1: hi, texts: bar[5], openL: bar[3] || lo > x0, openR: bar[4] || hi < x1, hidden: hi <= lo
      });
    }
    var placed = [];
    for (var r in rows) {
      var row = rows[r].filter(function (b) { return !b.hidden; }).sort(function (a, b) { return a.x0 - b.x0; });
      var fitted = barLabels(row, X0, X1);
      for (k = 0; k < row.length; k++) { placed[row[k].i] = fitted[k]; }
    }
    var barLabelEls = svg.querySelectorAll("text.bar-label");
    for (k = 0; k < barLabelEls.length; k++) {
      var el = barLabelEls[k], n = parseInt(el.dataset.i, 10), got = placed[n] || null;
      show(el, got && got.text, got ? got.x : 0, got ? got.anchor : "middle");
      if (got) { el.setAttribute("fill", got.inside ? lane.bars[n][6] : "#1f2328"); }
    }
    var walls = [], reds = svg.querySelectorAll("text.red-label");
    for (k = 0; k < reds.length; k++) {
      var right = num(reds[k], "x");
      walls.push([right - num(reds[k], "data-w"), right]);
    }
    var marks = lane.failovers.map(function (f) { return {since: x(f[0]), at: x(f[1]), texts: f[2]}; });
    var fo = failoverLabels(marks, X0, X1, walls), foEls = svg.querySelectorAll("text.fo-label");
    for (k = 0; k < foEls.length; k++) {
      var got2 = fo[parseInt(foEls[k].dataset.i, 10)];
      show(foEls[k], got2 ? got2.text : null, got2 ? got2.x : 0, got2 ? got2.anchor : "start");
    }
  }

  function draw() {
    var k = (X1 - X0) / (view[1] - view[0]);
    function x(t) { return Math.max(-1e6, Math.min(1e6, X0 + (t - view[0]) * k)); }
    var svgs = document.querySelectorAll("svg.tl");
    for (var s = 0; s < svgs.length; s++) {
      drawAxis(svgs[s], x);
      drawMarks(svgs[s], x);
      drawLabels(svgs[s], x, data.timelines[parseInt(svgs[s].dataset.lane, 10)]);
    }
  }

  // -- zoom and pan ---------------------------------------------------------------------------------------
  function zoom(factor, at) {
    var span = view[1] - view[0], fullSpan = full[1] - full[0];
    var next = Math.min(fullSpan, Math.max(0.05, span * factor));
    if (at === undefined) { at = (view[0] + view[1]) / 2; }
    var f = (at - view[0]) / span;
    view = [at - f * next, at - f * next + next];
    clamp();
    draw();
  }
  function clamp() {
    var span = view[1] - view[0];
    if (view[0] < full[0]) { view = [full[0], full[0] + span]; }
    if (view[1] > full[1]) { view = [full[1] - span, full[1]]; }
  }
  function timeAt(svg, clientX) {
    var r = svg.getBoundingClientRect();
    var px = (clientX - r.left) * W / r.width;
    return view[0] + (px - X0) * (view[1] - view[0]) / (X1 - X0);
  }

  var svgs = document.querySelectorAll("svg.tl");
  for (var i = 0; i < svgs.length; i++) {
    (function (svg) {
      svg.addEventListener("wheel", function (ev) {
        if (!ev.ctrlKey && !ev.shiftKey && !ev.metaKey) { return; }
        ev.preventDefault();
        var delta = ev.deltaY || ev.deltaX;
        zoom(Math.exp(delta * 0.0015), timeAt(svg, ev.clientX));
      }, {passive: false});
      var drag = null;
      svg.addEventListener("pointerdown", function (ev) {
        drag = {x: ev.clientX, view: view.slice()};
        svg.classList.add("dragging");
        if (svg.setPointerCapture) { svg.setPointerCapture(ev.pointerId); }
      });
      svg.addEventListener("pointermove", function (ev) {
        if (!drag) { return; }
        var r = svg.getBoundingClientRect();
        var dt = (ev.clientX - drag.x) * W / r.width * (drag.view[1] - drag.view[0]) / (X1 - X0);
        view = [drag.view[0] - dt, drag.view[1] - dt];
        clamp();
        draw();
      });
      function end() { drag = null; svg.classList.remove("dragging"); }
      svg.addEventListener("pointerup", end);
      svg.addEventListener("pointercancel", end);
      svg.addEventListener("dblclick", function () { view = full.slice(); draw(); });
    })(svgs[i]);
  }
  var buttons = document.querySelectorAll("[data-zoom]");
  for (var b = 0; b < buttons.length; b++) {
    buttons[b].addEventListener("click", function (ev) {
      var what = ev.currentTarget.getAttribute("data-zoom");
      if (what === "in") { zoom(0.5); } else if (what === "out") { zoom(2); } else { view = full.slice(); draw(); }
    });
  }

  // -- findings: sort by clicking a header, filter by text ------------------------------------------------
  var table = document.getElementById("findings-table");
  if (table) {
    var heads = table.querySelectorAll("th");
    for (var h = 0; h < heads.length; h++) {
      (function (th, col) {
        th.addEventListener("click", function () {
          var numeric = th.getAttribute("data-type") === "num";
          var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
          for (var o = 0; o < heads.length; o++) { heads[o].removeAttribute("aria-sort"); }
          th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
          var tbody = table.tBodies[0];
          var rows = Array.prototype.slice.call(tbody.rows);
          rows.forEach(function (row, n) { row._n = n; });
          rows.sort(function (r1, r2) {
            var c1 = r1.cells[col], c2 = r2.cells[col], v1, v2;
            if (numeric) {
              v1 = parseFloat(c1.getAttribute("data-v")); v2 = parseFloat(c2.getAttribute("data-v"));
            } else {
              v1 = c1.textContent.toLowerCase(); v2 = c2.textContent.toLowerCase();
            }
            return v1 < v2 ? -dir : v1 > v2 ? dir : r1._n - r2._n;
          });
          rows.forEach(function (row) { tbody.appendChild(row); });
        });
      })(heads[h], h);
    }
    var filter = document.getElementById("finding-filter");
    filter.addEventListener("input", function () {
      var q = filter.value.toLowerCase();
      var rows = table.tBodies[0].rows;
      for (var r = 0; r < rows.length; r++) {
        rows[r].style.display = rows[r].textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      }
    });
  }
  draw();
  document.documentElement.setAttribute("data-ready", "1");
})();
