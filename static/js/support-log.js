// 支援経過 (第5表): Ctrl+Enter (⌘+Enter) in 内容 saves the fast entry; after an htmx save the
// focus goes back to 内容 so the next call can be typed at once; after a refused save it goes
// to the first field with an error. Loaded with the panel (also inside the client page's
// tab), so it installs its listeners once.
(function () {
  if (window.supportLogReady) return;
  window.supportLogReady = true;

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    if (!target || !target.matches || !target.matches("textarea[data-log-content]")) return;
    var form = target.closest("form");
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  function focusPanel(panel) {
    if (!panel) return;
    var error = panel.querySelector(".field-has-error input, .field-has-error textarea");
    if (error) { error.focus(); return; }
    if (panel.hasAttribute("data-focus")) {
      var content = panel.querySelector("textarea[data-log-content]");
      if (content) content.focus();
    }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = document.getElementById("support-log");
    if (panel && event.detail && event.detail.elt && (event.detail.elt === panel || panel.contains(event.detail.elt) || event.detail.elt.id === "support-log")) {
      focusPanel(panel);
    }
  });
})();
