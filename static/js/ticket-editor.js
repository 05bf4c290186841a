// Ticket editor keyboard: arrow keys move between day buttons, Space/Enter toggle (native
// <button> behaviour). Focus is put back on the same day after htmx swaps the row.
(function () {
  "use strict";
  var lastFocused = null;

  function buttonsOf(tr) {
    return tr ? Array.prototype.slice.call(tr.querySelectorAll("button.day-toggle")) : [];
  }

  function dayOf(button) {
    var parts = (button.value || "").split(":");
    return parts.length === 3 ? parts[2] : null;
  }

  function rowsWithButtons(table) {
    return Array.prototype.slice.call(table.querySelectorAll("tbody tr")).filter(function (tr) {
      return tr.querySelector("button.day-toggle");
    });
  }

  function move(button, key) {
    var tr = button.closest("tr");
    var table = button.closest("table");
    if (!tr || !table) return null;
    if (key === "ArrowLeft" || key === "ArrowRight") {
      var inRow = buttonsOf(tr);
      var index = inRow.indexOf(button) + (key === "ArrowLeft" ? -1 : 1);
      return inRow[index] || null;
    }
    var rows = rowsWithButtons(table);
    var at = rows.indexOf(tr) + (key === "ArrowUp" ? -1 : 1);
    var target = rows[at];
    if (!target) return null;
    var day = dayOf(button);
    return buttonsOf(target).filter(function (b) { return dayOf(b) === day; })[0] || null;
  }

  document.addEventListener("keydown", function (event) {
    var button = event.target;
    if (!button || !button.classList || !button.classList.contains("day-toggle")) return;
    if (["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"].indexOf(event.key) < 0) return;
    var next = move(button, event.key);
    if (next) {
      next.focus();
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    // Only the grid's own requests restore focus: a panel refreshing itself (the delivery
    // panel reloads on "ticketChanged") must not pull the focus back to an old cell.
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.closest || !elt.closest("#grid-form, .ticket-grid")) return;
    var active = document.activeElement;
    lastFocused = active && active.id ? active.id : null;
    var submitter = event.detail && event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (submitter && submitter.submitter && submitter.submitter.id) lastFocused = submitter.submitter.id;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!lastFocused) return;
    var again = document.getElementById(lastFocused);
    lastFocused = null;
    if (again && document.activeElement !== again) again.focus();
  });
})();
