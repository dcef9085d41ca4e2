/* Client-side playback for the backchannel dashboard: no server round trip per frame.
   Component ids are those of dashboard/ids.py. */
(function () {
  "use strict";
  var nu = function () { return window.dash_clientside.no_update; };
  // What this page last drew, so that a step that changes nothing in a figure skips redrawing it.
  var drawn = { data: null, net: -1, mx: -1 };
  // Playback keeps to the wall clock: each tick moves on by as many steps as its period fits into
  // the time since the last step (a browser busy drawing skips steps rather than slowing down).
  var clock = { last: 0, owed: 0 };
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
  function hoverAt(lines, t, notYet) {
    return lines.map(function (row) {
      return row.map(function (cell) {
        return [cell[0]].concat(cell[1].map(function (l) {
          return l[1] + (l[0] === null || l[0] <= t ? l[2] : notYet + l[2]);
        })).join("<br>");
      });
    });
  }

  function matrixAt(data, i) {
    var fig = withFrame(data.mx, data.mx_frames[data.mx_key[i]]);
    fig.data[0] = Object.assign({}, fig.data[0],
                                { customdata: hoverAt(data.mx_hover, data.steps[i], data.not_yet) });
    return fig;
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

  function focusMarkdown(data, i) {
    var t = data.steps[i];
    if (!data.focus) {
      var recent = (data.recent || []).filter(function (e) { return e[0] <= t; }).slice(-8).reverse()
        .map(function (e) { return e[1]; });
      return "**Latest, up to the moment shown** (pick an actor in focus to see what they knew, and how)\n\n" +
        (recent.length ? recent.join("\n") : "- nothing has happened yet");
    }
    var lines = data.focus.entries.filter(function (e) { return e[0] <= t; }).reverse()
      .map(function (e) { return e[1]; });
    return "**What did " + data.focus.name + " know at " + data.labels[i] + ", and how?** (latest first)\n\n" +
      (lines.length ? lines.join("\n") : "- nothing yet");
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    backchannel: {
      transport: function (data, nInt, nBack, nFwd, nPlay, cell, value, disabled, rows, period) {
        if (!data || !data.steps) { return [nu(), nu(), nu()]; }
        var n = data.steps.length;
        var v = (typeof value === "number") ? value : data.step;
        var off = disabled !== false;
        var now = Date.now();
        if (triggered("bundle")) {
          v = data.step;
        } else if (triggered("interval")) {
          if (off) { return [nu(), nu(), nu()]; }  // a tick that was already due when playback stopped
          var ms = period || 500;
          clock.owed += Math.max(0, now - clock.last);
          clock.last = now;
          var k = Math.floor(clock.owed / ms + 0.05);
          if (k < 1) { return [nu(), nu(), nu()]; }
          clock.owed = Math.max(0, clock.owed - k * ms);
          v = Math.min(n - 1, v + k);
          if (v >= n - 1) { off = true; }
        } else if (triggered("step-back")) {
          v = Math.max(0, v - 1);
        } else if (triggered("step-forward")) {
          v = Math.min(n - 1, v + 1);
        } else if (triggered("play")) {
          if (off) { if (v >= n - 1) { v = 0; } off = false; clock = { last: now, owed: 0 }; } else { off = true; }
        } else if (triggered("log") && cell) {
          var row = (rows || []).find(function (r) { return String(r.id) === String(cell.rowId); });
          if (row) { v = firstAtOrAfter(data.steps, row.t); }
        }
        v = Math.max(0, Math.min(n - 1, v));
        return [v, off, off ? "▶ Play" : "❚❚ Pause"];
      },

      render: function (value, data) {
        if (!data || !data.steps) { return [nu(), nu(), nu(), nu(), nu(), nu(), nu(), nu()]; }
        var n = data.steps.length;
        var i = triggered("bundle") || typeof value !== "number" ? data.step : value;
        i = Math.max(0, Math.min(n - 1, i));
        if (drawn.data !== data) { drawn = { data: data, net: -1, mx: -1 }; }
        var net = nu(), mx = nu();
        if (drawn.net !== data.net_key[i]) { net = withFrame(data.net, data.net_frames[data.net_key[i]]); drawn.net = data.net_key[i]; }
        if (drawn.mx !== data.mx_key[i]) { mx = matrixAt(data, i); drawn.mx = data.mx_key[i]; }
        var x = data.tl_x[i];
        var k = data.tl.layout.meta.cursor_shape;
        var shapes = data.tl.layout.shapes.slice();
        shapes[k] = Object.assign({}, shapes[k], { x0: x, x1: x });
        var tl = { data: data.tl.data, layout: Object.assign({}, data.tl.layout, { shapes: shapes }) };
        setUrlTime(data.iso[i]);
        return [net, tl, mx, data.big[i], data.utc[i], data.headlines[i], focusMarkdown(data, i),
                { t: data.steps[i], step: i }];
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

      // The moment the sweep panel's heatmap shows: only while paused and only with the panel on, so
      // that playing makes no server round trip.
      sweepMoment: function (current, disabled, panels) {
        if (disabled === false || !current || (panels || []).indexOf("sweep") < 0) { return nu(); }
        return { t: current.t };
      },

      copyLink: function () { return window.location.href; }
    }
  });
})();
