// Keyboard handling on the moderators' pages: j/k move between items, r writes the reason of
// the current item (Enter then submits its first action). A file of its own: the CSP allows
// no inline script.
(function () {
  "use strict";
  var current = -1;

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  }

  function select(index) {
    var all = items();
    if (all.length === 0) {
      return;
    }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (item, i) {
      item.classList.toggle("current", i === current);
    });
    all[current].focus();
    all[current].scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var all = items();
    var focused = all.indexOf(document.activeElement);
    if (focused !== -1) {
      current = focused;
    }
    if (event.key === "j") {
      select(current + 1);
    } else if (event.key === "k") {
      select(current - 1);
    } else if (event.key === "r" && current !== -1) {
      var reason = all[current].querySelector("input[name=reason]");
      if (reason) {
        reason.focus();
      }
    } else {
      return;
    }
    event.preventDefault();
  });
})();
