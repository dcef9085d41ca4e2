/* Components of the backchannel dashboard's first screen (dashboard/layout.py's Deferred and Markup).

   Markup shows the HTML the page's own scripts write (the who-learned answer, the focus panel, the story
   card, the latest messages), as is: no Markdown parser to load, and nothing parsed again at each step.

   Deferred mounts its children late. They stay in Dash's layout (callbacks update their props as usual)
   but are mounted in the page only once the element `after` exists (the first screen is shown), and then
   when the placeholder comes within `margin` of the window or, failing that, at an idle moment once the
   element `quiet` has not changed for `settle` ms (so not while playback moves the moment shown). The
   event log's grid lies below the first screen at 1280×800 and costs about half a second of the main
   thread to mount: a first visit no longer waits for it. */
(function () {
  "use strict";
  var React = window.React;

  function whenIdle(fn) {
    if (window.requestIdleCallback) { return window.requestIdleCallback(fn, { timeout: 1000 }); }
    return setTimeout(fn, 0);
  }

  function cancelIdle(handle) {
    if (window.cancelIdleCallback) { window.cancelIdleCallback(handle); } else { clearTimeout(handle); }
  }

  // Calls `ready` once the element `after` exists (at once without `after`); returns what stops waiting.
  function onceThere(after, ready) {
    if (!after || document.querySelector(after)) { ready(); return function () {}; }
    var waiting = new MutationObserver(function () {
      if (document.querySelector(after)) { waiting.disconnect(); ready(); }
    });
    waiting.observe(document.body, { childList: true, subtree: true });
    return function () { waiting.disconnect(); };
  }

  // Calls `show` at an idle moment once the element `quiet` has not changed for `settle` ms; returns what
  // stops watching.
  function onceSettled(quiet, settle, show) {
    var timer = null, idle = null;
    var changes = new MutationObserver(arm);
    function arm() {
      clearTimeout(timer);
      if (idle !== null) { cancelIdle(idle); idle = null; }
      timer = setTimeout(function () { idle = whenIdle(show); }, settle);
    }
    var q = quiet ? document.querySelector(quiet) : null;
    if (q) { changes.observe(q, { childList: true, subtree: true, characterData: true, attributes: true }); }
    arm();
    return function () {
      changes.disconnect();
      clearTimeout(timer);
      if (idle !== null) { cancelIdle(idle); }
    };
  }

  function Deferred(props) {
    var state = React.useState(false), mounted = state[0], setMounted = state[1];
    var held = React.useState(!props.holds), drawn = held[0], setDrawn = held[1];
    var ref = React.useRef(null);
    React.useEffect(function () {
      if (mounted) { return undefined; }
      var done = false, stops = [];
      function show() {
        if (done) { return; }
        done = true;
        stops.forEach(function (stop) { stop(); });
        setMounted(true);
      }
      // Before `after` exists the page above is not drawn yet, and the box would seem near the top.
      stops.push(onceThere(props.after, function () {
        if (done) { return; }
        var near = new IntersectionObserver(function (entries) {
          if (entries.some(function (e) { return e.isIntersecting; })) { show(); }
        }, { rootMargin: props.margin });
        near.observe(ref.current);
        stops.push(function () { near.disconnect(); });
        if (props.after) { stops.push(onceSettled(props.quiet, props.settle, show)); }
      }));
      return function () { done = true; stops.forEach(function (stop) { stop(); }); };
    }, [mounted]);
    // Until what it holds has drawn its own element of id `holds` (a lazily loaded component draws nothing
    // while its code loads), the box keeps an empty element of that id after it: a script looking for that
    // element finds an empty one instead of nothing.
    React.useEffect(function () {
      if (!mounted || drawn) { return undefined; }
      var box = ref.current;
      var own = function () { return box.querySelector("#" + CSS.escape(props.holds) + ":not([data-holder])"); };
      if (own()) { setDrawn(true); return undefined; }
      var watch = new MutationObserver(function () { if (own()) { watch.disconnect(); setDrawn(true); } });
      watch.observe(box, { childList: true, subtree: true });
      return function () { watch.disconnect(); };
    }, [mounted, drawn]);
    var holder = drawn ? null : React.createElement("div", { id: props.holds, "data-holder": "" });
    return React.createElement("div", {
      ref: ref, id: props.id, className: props.className,
      style: mounted ? props.style : Object.assign({ minHeight: props.height }, props.style)
    }, mounted ? props.children : null, holder);
  }
  Deferred.defaultProps = { margin: "200px", settle: 1500, quiet: "", after: "", height: null, holds: "" };

  function Markup(props) {
    return React.createElement("div", { id: props.id, className: props.className,
                                        dangerouslySetInnerHTML: { __html: props.html || "" } });
  }
  Markup.defaultProps = { html: "" };

  window.backchannel_components = Object.assign({}, window.backchannel_components,
                                                { Deferred: Deferred, Markup: Markup });

  // Libraries loaded when first drawn: the page names each in a prefetch hint instead of loading its script
  // (dashboard/serving.py scripts_later). Until its script has run, the library's global stands in for it:
  // each component it is asked for is a stand-in that loads the script when first drawn, and then draws the
  // real component, so that the page's scripts and first screen do not wait for a library drawn only later
  // (the event log's grid). The stand-in keeps its place for good (the library's own script would replace
  // the global: it is put back), so that React never swaps one component for the other.
  var STATICS = ["dashRenderType", "dashPersistence", "dashChildrenUpdate"];
  function copyStatics(from, to) {
    if (!from) { return; }
    STATICS.forEach(function (k) { if (k in from) { to[k] = from[k]; } });
  }

  function later(library, href) {
    var real = null, waiting = null, standIns = {};
    function load(done) {
      if (real) { done(); return; }
      if (waiting) { waiting.push(done); return; }
      waiting = [done];
      var script = document.createElement("script");
      script.src = href;
      script.onload = script.onerror = function (e) {
        var loaded = e.type !== "error" && window[library] && window[library] !== proxy;
        real = loaded ? window[library] : {};  // a library that failed to load has no components
        window[library] = proxy;
        // What Dash reads off a component class (how it re-renders, persistence), now on the stand-ins.
        Object.keys(standIns).forEach(function (type) { copyStatics(real[type], standIns[type]); });
        var all = waiting;
        waiting = null;
        all.forEach(function (fn) { fn(); });
      };
      document.head.appendChild(script);
    }
    function standIn(type) {
      function Later(props) {
        // null until the library has loaded, then its component (false if it has none, or failed to load)
        var got = React.useState(function () { return real ? real[type] || false : null; });
        var Real = got[0], setReal = got[1];
        React.useEffect(function () {
          if (Real !== null) { return undefined; }
          var live = true;
          load(function () { if (live) { setReal(function () { return real[type] || false; }); } });
          return function () { live = false; };
        }, []);
        if (Real) { return React.createElement(Real, props); }
        return Real === false ? React.createElement("p", { className: "notice", id: props.id, role: "alert" },
                                                    "This part of the page could not be loaded: reload the page to "
                                                    + "try again.") : null;
      }
      Later.displayName = library + "." + type;
      return Later;
    }
    // What is written to the global (the library's later chunks add to it) is kept and read back.
    var proxy = new Proxy({}, {
      get: function (own, key) {
        if (typeof key !== "string") { return undefined; }
        if (standIns[key]) { return standIns[key]; }
        if (Object.prototype.hasOwnProperty.call(own, key)) { return own[key]; }
        if (real) { return real[key]; }
        if (/^[A-Z]/.test(key)) { return (standIns[key] = standIn(key)); }
        return undefined;
      },
      set: function (own, key, value) { own[key] = value; return true; }
    });
    window[library] = proxy;
  }
  Array.prototype.forEach.call(document.querySelectorAll("link[data-library]"), function (hint) {
    if (!window[hint.getAttribute("data-library")]) { later(hint.getAttribute("data-library"), hint.href); }
  });
})();
