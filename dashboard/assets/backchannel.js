/* Client-side playback for the backchannel dashboard: no server round trip per frame.
   Component ids are those of dashboard/ids.py. */
(function () {
  "use strict";
  var nu = function () { return window.dash_clientside.no_update; };
  // What this page last drew in each plot (the step's frame key, or "moved to" it for a step drawn in place
  // while playing), so that a step that changes nothing in a figure skips redrawing it; and whether
  // playback is running.
  var GRAPHS = ["network", "timeline", "matrix"];
  var SERVER_PANELS = ["compare", "sweep", "mattered"];  // the panels drawn by server callbacks
  var drawn = { data: null, network: -1, timeline: -1, matrix: -1 };
  var playing = false;
  var shown = { data: null, step: 0 };  // the view and step last shown
  // Playback keeps to the wall clock: each tick moves on by as many steps as its period fits into
  // the time since the last step (a browser busy drawing skips steps rather than slowing down).
  var clock = { last: 0, owed: 0 };
  // The step playback last moved to, and when: a tick that comes while the page is still drawing it (the
  // big date not yet showing it, or a plot still being drawn) moves nothing and leaves the time it stood
  // for to the next tick, so that steps are skipped instead of piling up behind the drawing (a pause
  // then holds at once). A drawing that takes over PACE_MS no longer holds playback back.
  var paced = { data: null, step: null, at: 0 };
  var PACE_MS = 1000;
  function stillDrawing(data, now) {
    if (paced.data !== data || paced.step === null || !data.big || now - paced.at > PACE_MS) { return false; }
    var label = document.getElementById("t-label");
    if (label && label.textContent !== data.big[paced.step]) { return true; }
    return !!document.querySelector("#network .dash-graph--pending, #timeline .dash-graph--pending, " +
                                    "#matrix .dash-graph--pending");
  }
  // The event-log row last scrolled to and selected, and the rows the last click was made on.
  var followed = { rows: null, id: null };
  var clicked = { stamp: null, rows: null };

  function isObj(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  function merge(base, patch) {
    var out = Object.assign({}, base);
    Object.keys(patch).forEach(function (k) {
      out[k] = isObj(patch[k]) && isObj(base[k]) ? merge(base[k], patch[k]) : patch[k];
    });
    return out;
  }

  function withFrame(fig, frame) {
    var dyn = (fig.layout && fig.layout.meta && fig.layout.meta.dynamic) || [];
    var data = fig.data.slice();
    dyn.forEach(function (idx, j) { if (frame && frame[j]) { data[idx] = merge(data[idx], frame[j]); } });
    return { data: data, layout: fig.layout };
  }

  // The matrix's hover text at t (as dashboard/figures/matrix.py hover_at): what was learned only
  // later says that it was not known yet.
  function hoverAt(h, t, notYet) {
    return h.cells.map(function (row, i) {
      return row.map(function (cell, j) {
        return ["<b>" + h.rows[i] + "</b> · " + h.facts[j]].concat(cell.map(function (l) {
          return l[1] + (l[0] === null || l[0] <= t ? l[2] : notYet + l[2]);
        })).join("<br>");
      });
    });
  }

  // The matrix's cells at t (as dashboard/figures/matrix.py matrix_cells and glyphs): each cell's colour
  // code is the best way any member knew the fact by t (0 where none did), its text counts the members
  // who knew it on rows of affiliations, and marks knowledge through a modelled step.
  function cellsAt(m, t) {
    var z = [], text = [], glyphs = [];
    m.cells.forEach(function (row) {
      var zr = [], tr = [];
      row.forEach(function (cell) {
        var n = 0, best = 0, marked = false;
        cell[1].forEach(function (e) {
          if (e[0] > t) { return; }
          n += 1;
          best = n === 1 ? e[1] : Math.min(best, e[1]);
          marked = marked || e[2];
        });
        var count = m.counts ? n + "/" + cell[0] : "";
        var txt = marked ? (count + " " + m.mark).trim() : count;
        zr.push(best);
        tr.push(txt);
        glyphs.push(m.counts ? txt : (m.glyph[best] + " " + txt).trim() || m.no_text);
      });
      z.push(zr);
      text.push(tr);
    });
    return { z: z, text: text, glyphs: glyphs };
  }

  function matrixAt(data, i) {
    var t = data.steps[i], c = cellsAt(data.mx_cells, t), fig = data.mx;
    var out = fig.data.slice();
    out[0] = Object.assign({}, out[0], { z: c.z, text: c.text, customdata: hoverAt(data.mx_hover, t, data.not_yet) });
    out[1] = Object.assign({}, out[1], { text: c.glyphs });
    return { data: out, layout: fig.layout };
  }

  // The first step at or after t (the last step if none is): the moment an event row moves to, so
  // that the event has happened there in calendar mode too.
  function firstAtOrAfter(steps, t) {
    var lo = 0, hi = steps.length - 1, ans = steps.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (steps[mid] >= t) { ans = mid; hi = mid - 1; } else { lo = mid + 1; }
    }
    return ans;
  }

  function prevMoment(moments, v) {
    var out = moments[0];
    moments.forEach(function (s) { if (s < v) { out = s; } });
    return Math.min(out, v);
  }

  function nextMoment(moments, v) {
    for (var j = 0; j < moments.length; j++) { if (moments[j] > v) { return moments[j]; } }
    return v;
  }

  function triggered(prefix) {
    var t = (window.dash_clientside.callback_context || {}).triggered || [];
    return t.some(function (x) { return x.prop_id.indexOf(prefix + ".") === 0; });
  }

  function setUrlTime(iso) {
    try {
      var u = new URL(window.location.href);
      if (u.searchParams.get("t") === iso) { return; }
      u.searchParams.set("t", iso);
      window.history.replaceState(window.history.state, "", u.pathname + u.search + u.hash);
    } catch (e) { /* a URL we cannot rewrite is left alone */ }
  }

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
      .replace(/\{/g, "&#123;").replace(/\}/g, "&#125;");
  }

  // The latest things that happened up to step i, newest first (their HTML from dashboard/story.py).
  function recentAt(data, i) {
    var t = data.steps[i];
    var recent = (data.recent || []).filter(function (e) { return e[0] <= t; }).slice(-8).reverse()
      .map(function (e) { return e[1]; });
    return '<p><b>Latest, up to the moment shown</b></p><ul>' +
      (recent.length ? recent.join("") : "<li>nothing has happened yet</li>") + "</ul>";
  }

  // The who-learned list at t (as dashboard/answer.py answer_at).
  function answerAt(a, t, label) {
    var known = a.rows.filter(function (r) { return r.t !== null && r.t <= t; });
    var later = a.rows.filter(function (r) { return r.t !== null && r.t > t; });
    var never = a.rows.filter(function (r) { return r.t === null; });
    var out = ['<p class="answer-head"><b>Who knows “' + esc(a.fact) + '” at ' + esc(label) + '</b> — ' +
               known.length + ' of ' + a.total + '</p>'];
    if (known.length) {
      out.push('<ol class="learned">' + known.map(function (r) {
        return '<li data-actor="' + esc(r.actor) + '">' + r.known + '</li>'; }).join("") + '</ol>');
    } else {
      out.push('<p class="nobody">Nobody knows it yet.</p>');
    }
    if (later.length) {
      out.push('<p class="later"><b>Not yet:</b> ' + later.map(function (r) { return r.later; }).join(", ") + '</p>');
    }
    if (never.length) {
      out.push('<p class="never"><b>Never learn it in this run:</b> ' +
               never.map(function (r) { return r.later; }).join(", ") + '</p>');
    }
    return out.join("");
  }

  function metasAt(entry, t) {
    var lines = entry.meta.filter(function (m) { return m[0] <= t; }).map(function (m) { return m[1]; });
    if (!lines.length) { return ""; }
    var word = lines.length === 1 ? "other knows" : "others know";
    return '<details class="meta"><summary>what they knew others knew: ' + lines.length + ' ' + word +
      ' it</summary><ul>' + lines.map(function (l) { return "<li>" + l + "</li>"; }).join("") + '</ul></details>';
  }

  // The focus panel at t (as dashboard/answer.py focus_at).
  function focusAt(f, t, label) {
    var top = f.top;
    var now = (top.t !== null && top.t <= t) ? top.known : top.later;
    var out = ['<p class="focus-q"><b>What did ' + f.name + ' know of “' + top.label + '” at ' + esc(label) +
               ', and how?</b></p>', '<p class="focus-line">' + now + '</p>', metasAt(top, t)];
    var shown = f.facts.filter(function (e) {
      return (e.t !== null && e.t <= t) || e.meta.some(function (m) { return m[0] <= t; });
    });
    if (shown.length) {
      out.push('<p class="focus-rest"><b>Everything else ' + f.name + ' knew by then</b> (latest first)</p>' +
               '<ul class="focus-facts">');
      shown.slice().reverse().forEach(function (e) {
        var how = (e.t !== null && e.t <= t) ? e.known : "does not know it yet";
        out.push('<li><b>' + e.label + '</b> — ' + how + metasAt(e, t) + '</li>');
      });
      out.push("</ul>");
    }
    return out.join("");
  }

  // The story card of the latest key moment at or before step i (none before the first).
  function cardIndex(data, i) {
    var k = -1;
    (data.moments || []).forEach(function (s, j) { if (s <= i) { k = j; } });
    return k;
  }

  function cardAt(data, i) {
    if (!data.story || !data.cards || !data.cards.length) { return ""; }
    var k = cardIndex(data, i);
    if (k < 0) { return '<p class="card-n">Before the first key moment: press ▶ to go to it.</p>'; }
    return data.cards[k].html;
  }

  // In story mode, a key moment that names a fact shows that fact: the fact control is set as a reader
  // would set it (set_props, outside the callback graph, which a callback here would make circular).
  var asked = { data: null, fact: null };
  function storyFact(data, i) {
    if (!data.story || !data.cards) { return; }
    var k = cardIndex(data, i);
    var fact = k >= 0 ? data.cards[k].fact : "";
    if (!fact || fact === data.fact || (asked.data === data && asked.fact === fact)) { return; }
    asked = { data: data, fact: fact };
    var set = window.dash_clientside.set_props;
    if (set) { setTimeout(function () { set("fact", { value: fact }); }, 0); }
  }

  // A reader's zoom on the network or the timeline holds while the run and mode stay (the figure's
  // uirevision names them). Plotly's own uirevision cannot keep it here: the graph writes a zoom back into
  // its figure, after which the next step's figure would put the whole range back. So the page notes the
  // ranges a reader sets (plotly reports them as a relayout, from the first press on a plot on) and puts
  // them into each figure it sends until the run or mode changes; a double-click shows the figure's own
  // range again (plotly would range over everything drawn, the faded future included).
  var zooms = {};
  var AXES = ["xaxis", "yaxis"];
  function sameRange(a, b) { return !!a && !!b && String(a[0]) === String(b[0]) && String(a[1]) === String(b[1]); }
  function zoomOf(graph) { return zooms[graph] || (zooms[graph] = { key: null, user: {}, sent: {} }); }
  function noteZoom(gd, graph, e) {
    var z = zoomOf(graph), whole = {};
    AXES.forEach(function (ax) {
      var range = e[ax + ".range"] || (ax + ".range[0]" in e ? [e[ax + ".range[0]"], e[ax + ".range[1]"]] : null);
      if (e[ax + ".autorange"] && z.sent[ax]) { whole[ax + ".range"] = z.sent[ax].slice(); }
      if (e[ax + ".autorange"] || (range && sameRange(range, z.sent[ax]))) { z.user[ax] = null; }
      else if (range) { z.user[ax] = range.slice(); }
    });
    if (Object.keys(whole).length) { window.Plotly.relayout(gd, whole); }
  }
  document.addEventListener("mousedown", function (e) {
    var gd = e.target.closest && e.target.closest(".js-plotly-plot");
    var graph = gd && gd.parentElement && gd.parentElement.closest("#network, #timeline");
    if (!graph || gd.__notesZoom || typeof gd.on !== "function") { return; }
    gd.__notesZoom = true;
    gd.on("plotly_relayout", function (ev) { noteZoom(gd, graph.id, ev || {}); });
  }, true);
  function keepZoom(graph, layout) {
    var z = zoomOf(graph);
    if (z.key !== layout.uirevision) { z.key = layout.uirevision; z.user = {}; }
    var out = layout;
    AXES.forEach(function (ax) {
      z.sent[ax] = layout[ax] && layout[ax].range;
      if (!z.user[ax] || !z.sent[ax]) { return; }
      if (out === layout) { out = Object.assign({}, layout); }
      out[ax] = Object.assign({}, layout[ax], { range: z.user[ax].slice(), autorange: false });
    });
    return out;
  }

  // Each plot at step i (the network and the matrix by their step's frame, the timeline by its cursor).
  function networkAt(data, i) {
    var fig = withFrame(data.net, data.net_frames[data.net_key[i]]);
    return { data: fig.data, layout: keepZoom("network", fig.layout) };
  }
  function timelineAt(data, i) {
    var x = data.tl_x[i], k = data.tl.layout.meta.cursor_shape, f = data.tl.layout.meta.future_shape;
    var shapes = data.tl.layout.shapes.slice();
    shapes[k] = Object.assign({}, shapes[k], { x0: x, x1: x });
    if (typeof f === "number") { shapes[f] = Object.assign({}, shapes[f], { x0: x }); }
    return { data: data.tl.data, layout: keepZoom("timeline", Object.assign({}, data.tl.layout, { shapes: shapes })) };
  }
  // While playing, the timeline's cursor and faded future are moved where plotly drew them (their paths and
  // plotly's record of them), not drawn again: plotly redraws every trace for any change of a shape, which
  // costs 50–100 ms a step on the documented scenario and held playback below its pace. The figure itself
  // is sent again once playback stops (drawn.timeline then no longer matches the step).
  function shapePath(xa, ya, shape) {
    var x0 = xa._offset + xa.l2p(xa.d2l(shape.x0)), x1 = xa._offset + xa.l2p(xa.d2l(shape.x1));
    var y0 = ya._offset + ya.l2p(ya.d2l(shape.y0)), y1 = ya._offset + ya.l2p(ya.d2l(shape.y1));
    return shape.type === "line" ? "M" + x0 + "," + y0 + "L" + x1 + "," + y1
      : "M" + x0 + "," + y0 + "H" + x1 + "V" + y1 + "H" + x0 + "Z";
  }
  function slideCursor(data, i) {
    var gd = document.querySelector("#timeline .js-plotly-plot");
    var full = gd && gd._fullLayout, meta = data.tl.layout.meta;
    if (!full || !full.shapes || !gd.layout || gd.layout.uirevision !== data.tl.layout.uirevision) { return false; }
    var x = data.tl_x[i], moves = [[meta.cursor_shape, { x0: x, x1: x }]];
    if (typeof meta.future_shape === "number") { moves.push([meta.future_shape, { x0: x }]); }
    var paths = moves.map(function (m) {
      return gd.querySelector(".shapelayer path[data-index='" + m[0] + "']");
    });
    if (paths.some(function (p) { return !p; }) || !full.xaxis || !full.yaxis) { return false; }
    moves.forEach(function (m, j) {
      [gd.layout.shapes[m[0]], full.shapes[m[0]]].forEach(function (shape) {
        if (shape) { Object.assign(shape, m[1]); }
      });
      paths[j].setAttribute("d", shapePath(full.xaxis, full.yaxis, full.shapes[m[0]]));
    });
    return true;
  }
  // Whether the plot `graph` is still to draw a figure sent to it (it would then draw over what is drawn in
  // place: the step is sent as a figure instead).
  function pending(graph) { return !!document.querySelector("#" + graph + " .dash-graph--pending"); }
  // While playing, the network's changing traces (all of them scatter traces) go to plotly's animate,
  // without a redraw: only those traces are drawn again, not the names, circles and channels around
  // them (15 ms a step on the documented scenario instead of 30–35 for a whole replot).
  function animateNetwork(data, i) {
    var gd = document.querySelector("#network .js-plotly-plot");
    var frame = data.net_frames[data.net_key[i]], dyn = data.net.layout.meta.dynamic;
    if (!gd || pending("network") || !gd._fullLayout || !gd._transitionData || !gd.layout || !frame || !window.Plotly.animate ||
        gd.layout.uirevision !== data.net.layout.uirevision || (gd.data || []).length !== data.net.data.length) {
      return false;
    }
    window.Plotly.animate(gd, { data: dyn.map(function (idx, j) { return frame[j] || {}; }), traces: dyn },
                          { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" })
      .catch(function () { /* a step interrupted by the next one */ });
    return true;
  }
  // While playing, the matrix's cells are painted where plotly drew them: the colours into the heatmap's
  // image, brick by brick as plotly's heatmap paints them (edges at the axes' rounded pixels, each gap
  // split between the bricks either side of it), and the shapes and marks into the texts over them;
  // plotly's records of both and the hover texts are set to the step's, so that hover and any redraw
  // read the moment shown. A whole replot costs 35–45 ms a step on the documented scenario.
  var XLINK = "http://www.w3.org/1999/xlink";
  function paintCells(data, i) {
    var gd = document.querySelector("#matrix .js-plotly-plot");
    var full = gd && gd._fullLayout, img = gd && gd.querySelector(".heatmaplayer .hm image");
    var heat = gd && gd.calcdata && gd.calcdata[0] && gd.calcdata[0][0], marks = gd && gd.calcdata && gd.calcdata[1];
    var m = data.mx_cells, c = cellsAt(m, data.steps[i]);
    // Each cell's text, by its point (plotly's data on the text's group): every point has one, as no cell's
    // text is empty (NO_TEXT in dashboard/figures/common.py).
    var texts = [];
    Array.prototype.forEach.call(gd ? gd.querySelectorAll(".scatterlayer .trace .textpoint text") : [], function (t) {
      var d = t.parentNode.__data__;
      if (d && typeof d.i === "number") { texts[d.i] = t; }
    });
    if (pending("matrix") || !full || !img || !heat || !marks || !m.colors || !gd.layout || gd.data.length !== 2 ||
        gd.layout.uirevision !== data.mx.layout.uirevision || marks.length !== c.glyphs.length ||
        heat.z.length !== c.z.length || c.glyphs.some(function (_, k) { return !texts[k]; })) {
      return false;
    }
    var xa = full.xaxis, ya = full.yaxis, trace = gd._fullData[0];
    var left = Number(img.getAttribute("x")), top = Number(img.getAttribute("y"));
    var width = Number(img.getAttribute("width")), height = Number(img.getAttribute("height"));
    var gx = trace.xgap || 0, gy = trace.ygap || 0;
    var px = heat.x.map(function (v) { return Math.max(0, Math.min(width, Math.round(xa.c2p(v) - left))); });
    var py = heat.y.map(function (v) { return Math.max(0, Math.min(height, Math.round(ya.c2p(v) - top))); });
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    c.z.forEach(function (row, n) {
      var y0 = Math.min(py[n], py[n + 1]), h = Math.abs(py[n + 1] - py[n]);
      if (!h || isNaN(h)) { return; }
      row.forEach(function (code, r) {
        var x0 = Math.min(px[r], px[r + 1]), w = Math.abs(px[r + 1] - px[r]);
        if (!w || isNaN(w)) { return; }
        ctx.fillStyle = m.colors[code];
        ctx.fillRect(x0 + Math.floor(gx / 2), y0 + Math.floor(gy / 2), w - gx, h - gy);
      });
    });
    img.setAttributeNS(XLINK, "xlink:href", canvas.toDataURL("image/png"));
    c.glyphs.forEach(function (glyph, k) {
      marks[k].tx = glyph;
      if (texts[k].textContent !== glyph) { texts[k].textContent = glyph; texts[k].setAttribute("data-unformatted", glyph); }
    });
    var hover = hoverAt(data.mx_hover, data.steps[i], data.not_yet);
    gd.data[0] = Object.assign({}, gd.data[0], { z: c.z, text: c.text, customdata: hover });
    gd.data[1] = Object.assign({}, gd.data[1], { text: c.glyphs });
    trace.z = heat.z = c.z;
    trace.text = heat.text = c.text;
    trace.customdata = hover;
    gd._fullData[1].text = c.glyphs;
    return true;
  }
  var FIGURE = { network: networkAt, timeline: timelineAt, matrix: matrixAt };
  // What a step does in place while playing, by plot: true when done (else the figure is sent).
  var IN_PLACE = { network: animateNetwork, timeline: slideCursor, matrix: paintCells };
  function frameKey(data, graph, i) {
    return graph === "network" ? data.net_key[i] : graph === "matrix" ? data.mx_key[i] : i;
  }
  function onScreen(id) {
    var el = document.getElementById(id), r = el && el.getBoundingClientRect();
    return !!r && r.width > 0 && r.bottom > 0 && r.top < window.innerHeight;
  }
  // The figures that step i changes, by plot (no_update for the others). While playing, a plot out of
  // the window (scrolled away, or its panel hidden) is left for later: playback draws what can be seen,
  // and the rest is drawn when playback stops (the pause sets the slider, which draws the step again) or
  // at the first step after it comes into view. A new view draws the network and the texts beside it
  // first and each plot below them later (drawLeft), once the first screen can be used.
  function figuresAt(data, i, fresh) {
    var out = {}, left = false;
    GRAPHS.forEach(function (g) {
      var key = frameKey(data, g, i);
      out[g] = nu();
      if (drawn[g] === key || (playing && drawn[g] === "moved to " + key)) { return; }
      if ((playing && !onScreen(g)) || (fresh && g !== "network")) { left = true; return; }
      if (playing && drawn[g] !== -1 && IN_PLACE[g](data, i)) {
        drawn[g] = "moved to " + key;
        return;
      }
      drawn[g] = key;
      out[g] = FIGURE[g](data, i);
    });
    if (fresh && left) { drawLeft(data); }
    return out;
  }
  // The plots a new view left undrawn are drawn each when it comes within NEAR_PX of the window, or at an
  // idle moment from SETTLE_MS after the view came (at the latest IDLE_MS after that), one plot at a time:
  // the first screen can be used without waiting for the plots below it, and the page's thread is not
  // taken by them just when a reader starts to use it (drawing the timeline and the matrix of the
  // documented scenario takes about 0.25 s of it here).
  var NEAR_PX = 300, SETTLE_MS = 1000, IDLE_MS = 2000;
  // Calls fn once the page has painted what it has and has nothing more pressing to do (at the latest
  // NEAR_WAIT_MS later): a plot drawn as it comes near the window waits for the first screen to show, and
  // input that comes meanwhile is answered first.
  var NEAR_WAIT_MS = 500;
  function afterPaint(fn) {
    var idle = function () {
      if (window.requestIdleCallback) { window.requestIdleCallback(fn, { timeout: NEAR_WAIT_MS }); }
      else { setTimeout(fn, 0); }
    };
    if (window.requestAnimationFrame) { window.requestAnimationFrame(idle); } else { idle(); }
  }
  function drawLeft(data) {
    var left = GRAPHS.filter(function (g) { return g !== "network"; });
    var near = null;
    function drawOne(g) {
      var set = window.dash_clientside.set_props;
      if (left.indexOf(g) < 0 || shown.data !== data || !set) { return; }
      left = left.filter(function (x) { return x !== g; });
      if (!left.length && near) { near.disconnect(); }
      var key = frameKey(data, g, shown.step);
      if (drawn[g] === key || (playing && !onScreen(g))) { return; }
      drawn[g] = key;
      set(g, { figure: FIGURE[g](data, shown.step) });
    }
    function idle() {
      if (shown.data !== data) { if (near) { near.disconnect(); } return; }
      if (left.length) { drawOne(left[0]); }
      if (left.length) { later(); }
    }
    function later() {
      if (window.requestIdleCallback) { window.requestIdleCallback(idle, { timeout: IDLE_MS }); }
      else { setTimeout(idle, 0); }
    }
    if (window.IntersectionObserver) {
      near = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) { if (e.isIntersecting) { afterPaint(function () { drawOne(e.target.id); }); } });
      }, { rootMargin: NEAR_PX + "px" });
      left.forEach(function (g) { var el = document.getElementById(g); if (el) { near.observe(el); } });
    }
    setTimeout(later, SETTLE_MS);
  }

  // What the page shows in the text panels, so that an unchanged text is not sent to React again.
  var texts = {};
  function changed(key, value) {
    if (texts[key] === value) { return nu(); }
    texts[key] = value;
    return value;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    backchannel: {
      transport: function (data, nInt, nBack, nFwd, nPlay, cell, value, disabled, rows, period) {
        if (!data || !data.steps) { return [nu(), nu(), nu()]; }
        var n = data.steps.length;
        var v = (typeof value === "number") ? value : data.step;
        var off = disabled !== false;
        var now = Date.now();
        // A click and a tick can come in one call: the click is what the reader did, so it goes first.
        if (triggered("bundle")) {
          v = data.step;
        } else if (triggered("play")) {
          if (off) { if (v >= n - 1) { v = 0; } off = false; clock = { last: now, owed: 0 }; } else { off = true; }
        } else if (triggered("step-back")) {
          v = data.story && data.moments && data.moments.length ? prevMoment(data.moments, v) : Math.max(0, v - 1);
        } else if (triggered("step-forward")) {
          v = data.story && data.moments && data.moments.length ? nextMoment(data.moments, v) : Math.min(n - 1, v + 1);
        } else if (triggered("log") && cell) {
          var row = (rows || []).find(function (r) { return String(r.id) === String(cell.rowId); });
          if (row) { v = firstAtOrAfter(data.steps, row.t); }
        } else if (triggered("interval")) {
          if (off) { return [nu(), nu(), nu()]; }  // a tick that was already due when playback stopped
          if (stillDrawing(data, now)) { return [nu(), nu(), nu()]; }
          var ms = period || 500;
          clock.owed += Math.max(0, now - clock.last);
          clock.last = now;
          var k = Math.floor(clock.owed / ms + 0.05);
          if (k < 1) { return [nu(), nu(), nu()]; }
          clock.owed = Math.max(0, clock.owed - k * ms);
          v = Math.min(n - 1, v + k);
          paced = { data: data, step: v, at: now };
          if (v >= n - 1) { off = true; }
        }
        v = Math.max(0, Math.min(n - 1, v));
        playing = !off;
        return [v, off, off ? "▶ Play" : "❚❚ Pause"];
      },

      render: function (value, data) {
        if (!data || !data.steps) { return [nu(), nu(), nu(), nu(), nu(), nu(), nu(), nu(), nu(), nu(), nu()]; }
        var n = data.steps.length;
        var i = triggered("bundle") || typeof value !== "number" ? data.step : value;
        i = Math.max(0, Math.min(n - 1, i));
        var fresh = drawn.data !== data;
        if (fresh) { drawn = { data: data, network: -1, timeline: -1, matrix: -1 }; texts = {}; }
        shown = { data: data, step: i };
        var figs = figuresAt(data, i, fresh);
        setUrlTime(data.iso[i]);
        storyFact(data, i);
        var t = data.steps[i], label = data.labels[i];
        return [figs.network, figs.timeline, figs.matrix, changed("big", data.big[i]), changed("utc", data.utc[i]),
                changed("headline", data.headlines[i]),
                changed("focus", data.focus ? focusAt(data.focus, t, label) : ""),
                changed("answer", answerAt(data.answer, t, label)), changed("card", cardAt(data, i)),
                changed("recent", recentAt(data, i)), { t: t, step: i }];
      },

      // The event log keeps the latest row at or before the moment shown in view and selected; the row
      // the reader last clicked is the one selected while the moment shown is that row's step.
      followLog: function (current, rows, cell, data) {
        if (!current || !rows || !rows.length) { return [nu(), nu()]; }
        var prev = (data && data.steps && current.step > 0) ? data.steps[current.step - 1] : -Infinity;
        var lo = 0, hi = rows.length - 1, at = -1;
        while (lo <= hi) {
          var mid = (lo + hi) >> 1;
          if (rows[mid].t <= current.t) { at = mid; lo = mid + 1; } else { hi = mid - 1; }
        }
        var id = at < 0 ? null : String(rows[at].id);
        if (cell && cell.timestamp !== clicked.stamp) { clicked = { stamp: cell.timestamp, rows: rows }; }
        var picked = cell && clicked.rows === rows &&
          rows.find(function (r) { return String(r.id) === String(cell.rowId); });
        if (picked && picked.t <= current.t && picked.t > prev) { id = String(picked.id); }
        if (followed.rows === rows && followed.id === id) { return [nu(), nu()]; }
        followed = { rows: rows, id: id };
        if (id === null) { return [nu(), { ids: [] }]; }
        return [{ rowId: id, rowPosition: "middle" }, { ids: [id] }];
      },

      focusClicked: function (click, current) {
        var pt = click && click.points && click.points[0];
        if (!pt || typeof pt.customdata !== "string") { return nu(); }
        return pt.customdata === current ? null : pt.customdata;
      },

      speed: function (ms) { return ms || 500; },

      // The view, for the panels computed on the server, while one of them is shown (see callbacks.py).
      shownView: function (view, panels) {
        var on = (panels || []).some(function (p) { return SERVER_PANELS.indexOf(p) >= 0; });
        return on && view ? view : nu();
      },

      // The moment the sweep panel's heatmap shows: only while paused and only with the panel on, so
      // that playing makes no server round trip.
      sweepMoment: function (current, disabled, panels) {
        if (disabled === false || !current || (panels || []).indexOf("sweep") < 0) { return nu(); }
        return { t: current.t };
      },

      // The whole button copies the link and says so; any change of view puts its name back.
      copyLink: function () {
        if (!triggered("copy-link")) { return "Copy link"; }
        var href = window.location.href;
        var fallback = function () {
          var area = document.createElement("textarea");
          area.value = href;
          area.setAttribute("readonly", "");
          area.style.position = "fixed";
          area.style.opacity = "0";
          document.body.appendChild(area);
          area.select();
          try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
          area.remove();
        };
        try {
          if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(href).catch(fallback);
          } else { fallback(); }
        } catch (e) { fallback(); }
        return "✓ Copied";
      },

      // The wheel zooms the plots only when the reader asks for it.
      wheel: function (value, a, b, c) {
        var on = (value || []).indexOf("on") >= 0;
        return [a, b, c].map(function (cfg) { return Object.assign({}, cfg || {}, { scrollZoom: on }); });
      }
    }
  });
})();

/* Keyboard, figure downloads and dragging actors on the network: listeners on the document, so that
   they hold whatever React redraws. */
(function () {
  "use strict";
  function typing(el) {
    if (!el) { return false; }
    var tag = (el.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable ||
      (el.closest && el.closest(".dash-dropdown, .dash-slider-thumb, [role=slider], [role=combobox], .ag-root"));
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || typing(document.activeElement)) { return; }
    var target = { " ": "play", "ArrowLeft": "step-back", "ArrowRight": "step-forward" }[e.key];
    if (!target) { return; }
    var tag = (document.activeElement && document.activeElement.tagName || "").toLowerCase();
    if (e.key === " " && (tag === "button" || tag === "summary" || tag === "a")) { return; }  // the focused control's own
    var btn = document.getElementById(target);
    if (btn) { e.preventDefault(); btn.click(); }
  });

  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-graph][data-format]");
    if (!btn || !window.Plotly) { return; }
    var gd = document.querySelector("#" + btn.getAttribute("data-graph") + " .js-plotly-plot");
    if (!gd) { return; }
    var title = (document.getElementById("title") || {}).innerText || "backchannel";
    var name = (title + " " + btn.getAttribute("data-graph")).replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
    window.Plotly.downloadImage(gd, { format: btn.getAttribute("data-format"), filename: name.slice(0, 80),
                                      width: gd.clientWidth, height: gd.clientHeight, scale: 2 });
  });

  // Hover labels stay on the visible page. Plotly keeps a label inside its plot, but a plot can reach past
  // the window's edge (scrolled partly out of view, or taller than the window), and a long label can be
  // wider than a narrow plot: a label that would cross the window's edge is moved back inside it, and may
  // then reach past its plot (whose drawing shows what lies outside it only while such a label is up). A
  // moved label's pointer, which would point beside the hovered mark, gives way to a plain box.
  var EDGE = 4;  // px kept free between a label and the window's edge
  function fitHover(gd, layer) {
    var right = document.documentElement.clientWidth - EDGE, bottom = window.innerHeight - EDGE;
    var plot = gd.getBoundingClientRect(), outside = false;
    Array.prototype.forEach.call(layer.querySelectorAll("g.hovertext"), function (g) {
      var b = g.getBoundingClientRect();
      var dx = b.right > right ? right - b.right : 0, dy = b.bottom > bottom ? bottom - b.bottom : 0;
      if (b.left + dx < EDGE) { dx = EDGE - b.left; }
      if (b.top + dy < EDGE) { dy = EDGE - b.top; }
      if (dx || dy) {
        g.setAttribute("transform", (g.getAttribute("transform") || "") + " translate(" + dx + "," + dy + ")");
        var path = g.querySelector("path"), text = g.querySelector("text");
        if (path && text) {
          var t = text.getBBox();
          path.setAttribute("d", "M" + (t.x - 4) + "," + (t.y - 3) + "h" + (t.width + 8) + "v" + (t.height + 6) +
                            "h" + -(t.width + 8) + "Z");
        }
      }
      outside = outside || b.left + dx < plot.left || b.right + dx > plot.right || b.top + dy < plot.top ||
        b.bottom + dy > plot.bottom;
    });
    var svg = layer.ownerSVGElement;
    if (svg) { svg.style.overflow = outside ? "visible" : ""; }
  }
  // Plotly redraws a label at every move of the pointer (rewriting its text), so each plot's hover layer is
  // watched from the pointer's first visit; the watcher runs before the label is painted.
  document.addEventListener("mouseover", function (e) {
    var gd = e.target.closest && e.target.closest(".js-plotly-plot");
    var layer = gd && gd.querySelector(".hoverlayer");
    if (!layer || layer.__fitted) { return; }
    layer.__fitted = true;
    new MutationObserver(function () { fitHover(gd, layer); }).observe(layer, { childList: true, subtree: true });
  }, true);

  // Press on an actor and drag it: on release the page keeps the new place in the view (``pos`` in the
  // link) and redraws the channels; a press without moving focuses the actor, as a click does.
  var drag = null;
  function nodes(gd) {
    var tr = (gd.data || []).find(function (t) { return t.name === "actors"; });
    var xa = gd._fullLayout && gd._fullLayout.xaxis, ya = gd._fullLayout && gd._fullLayout.yaxis;
    if (!tr || !xa || !ya) { return null; }
    return { tr: tr, idx: gd.data.indexOf(tr), xa: xa, ya: ya };
  }
  document.addEventListener("mousedown", function (e) {
    var gd = e.target.closest && e.target.closest("#network .js-plotly-plot");
    if (!gd || e.button !== 0 || e.target.closest(".modebar")) { return; }
    var n = nodes(gd);
    if (!n) { return; }
    var r = gd.getBoundingClientRect(), best = -1, dist = 18;
    n.tr.x.forEach(function (x, i) {
      var px = r.left + n.xa._offset + n.xa.l2p(x), py = r.top + n.ya._offset + n.ya.l2p(n.tr.y[i]);
      var d = Math.hypot(px - e.clientX, py - e.clientY);
      if (d < dist) { dist = d; best = i; }
    });
    if (best < 0) { return; }
    e.stopPropagation();
    e.preventDefault();
    drag = { gd: gd, n: n, i: best, x0: e.clientX, y0: e.clientY, moved: false, frame: 0 };
  }, true);
  document.addEventListener("mousemove", function (e) {
    if (!drag) { return; }
    if (Math.hypot(e.clientX - drag.x0, e.clientY - drag.y0) > 4) { drag.moved = true; }
    if (!drag.moved || drag.frame) { return; }
    var cx = e.clientX, cy = e.clientY;
    drag.frame = window.requestAnimationFrame(function () {
      if (!drag) { return; }
      drag.frame = 0;
      var r = drag.gd.getBoundingClientRect(), n = drag.n;
      var xs = n.tr.x.slice(), ys = n.tr.y.slice();
      xs[drag.i] = n.xa.p2l(cx - r.left - n.xa._offset);
      ys[drag.i] = n.ya.p2l(cy - r.top - n.ya._offset);
      drag.xy = [xs[drag.i], ys[drag.i]];
      window.Plotly.restyle(drag.gd, { x: [xs], y: [ys] }, [n.idx]);
    });
  }, true);
  document.addEventListener("mouseup", function (e) {
    if (!drag) { return; }
    var d = drag;
    drag = null;
    e.stopPropagation();
    var set = window.dash_clientside && window.dash_clientside.set_props;
    if (!set) { return; }
    var id = d.n.tr.customdata[d.i];
    if (!d.moved || !d.xy) {
      var current = new URL(window.location.href).searchParams.get("actor") || "";
      set("actor", { value: current === id ? null : id });
      return;
    }
    var pos = new URL(window.location.href).searchParams.get("pos") || "";
    var kept = pos.split(",").filter(function (p) { return p && p.split(":")[0] !== id; });
    var clamp = function (v) { return Math.max(-9.99, Math.min(9.99, v)).toFixed(3); };
    kept.push(id + ":" + clamp(d.xy[0]) + ":" + clamp(d.xy[1]));
    set("moved", { data: { pos: kept.join(",") } });
  }, true);
})();
