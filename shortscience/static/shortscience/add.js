// The add page's progress (htmx asks each source in its own request, views/pages/add.py): once
// every source has answered or missed the deadline, say so, and when nothing was found open the
// manual form (already filled in with what was pasted). A file of its own: the CSP allows no
// inline script. Without JavaScript the server renders the same end state in one answer.
(function () {
  "use strict";

  function settle() {
    var lookup = document.getElementById("lookup");
    if (!lookup || !lookup.classList.contains("progressive")) {
      return;
    }
    if (lookup.querySelector("[data-pending]")) {
      return;
    }
    var found = lookup.querySelectorAll(".candidates li").length > 0;
    var problems = lookup.querySelector(".source-report.failed, .source-report.late, .source-report.unreadable");
    var fallback = lookup.querySelector(".lookup-fallback");
    if (fallback && problems) {
      fallback.hidden = false;
    }
    if (!found) {
      var empty = lookup.querySelector("[data-when-empty]");
      if (empty) {
        empty.hidden = false;
      }
      var manual = document.getElementById("add-manual");
      if (manual) {
        manual.open = true;
      }
    }
  }

  document.addEventListener("htmx:afterSettle", settle);
})();
