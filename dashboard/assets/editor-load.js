// Loads the scenario editor (editor.min.js, CodeMirror 6) the first time its panel is shown, so that
// pages without the editor never download it.
(function () {
  var own = document.currentScript ? document.currentScript.src : "";
  var root = own ? own.replace(/assets\/editor-load\.js.*$/, "") : window.location.origin + "/";
  window.backchannelEditorBase = new URL(root, window.location.href).pathname;
  var timer = setInterval(function () {
    var panel = document.getElementById("panel-editor");
    if (!panel || panel.style.display === "none") return;
    clearInterval(timer);
    var script = document.createElement("script");
    script.src = root + "assets/editor.min.js";
    document.head.appendChild(script);
  }, 250);
})();
