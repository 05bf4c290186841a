// Warns before the idle session timeout and offers to extend it (no inline script: CSP).
// Reads the timeout from <body data-session-idle-seconds>; the keep-alive endpoint answers
// 204 to a logged-in POST and the session is saved again, so the idle timer restarts.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.dataset.sessionIdleSeconds || "", 10);
  var lead = parseInt(body.dataset.sessionWarningSeconds || "120", 10);
  var url = body.dataset.keepaliveUrl;
  if (!idle || !url) {
    return;
  }
  var warnTimer = null;
  var box = null;

  function hideWarning() {
    if (box) {
      box.remove();
      box = null;
    }
  }

  function showExpired() {
    hideWarning();
    box = document.createElement("div");
    box.className = "session-warning";
    box.setAttribute("role", "alert");
    box.textContent = "ログインの有効時間が切れました。保存すると入力は一時保管され、ログイン後に復元できます。";
    body.appendChild(box);
  }

  function extend() {
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": body.dataset.csrfToken || "" },
    }).then(function (response) {
      if (response.status === 204) {
        hideWarning();
        schedule();
      } else {
        showExpired();
      }
    }).catch(showExpired);
  }

  function showWarning() {
    hideWarning();
    box = document.createElement("div");
    box.className = "session-warning";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-live", "assertive");
    var text = document.createElement("p");
    text.textContent = "操作がないため、あと約" + Math.round(lead / 60) + "分でログインが切れます。入力中の内容がある場合は延長してください。";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button-primary";
    button.textContent = "延長する";
    button.addEventListener("click", extend);
    box.appendChild(text);
    box.appendChild(button);
    body.appendChild(box);
    button.focus();
    warnTimer = window.setTimeout(showExpired, lead * 1000);
  }

  function schedule() {
    if (warnTimer) {
      window.clearTimeout(warnTimer);
    }
    warnTimer = window.setTimeout(showWarning, Math.max(idle - lead, 0) * 1000);
  }

  // Any htmx request also saves the session: restart the countdown.
  body.addEventListener("htmx:afterRequest", function () {
    if (!box) {
      schedule();
    }
  });
  schedule();
})();
