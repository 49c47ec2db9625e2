// Display formulas wider than their column scroll sideways in their own box (site.css). This
// makes each such box reachable with the keyboard (Tab, then the arrow keys) and names it for
// screen readers; a formula that fits gets no tab stop. Without JavaScript the boxes still
// scroll by touch, trackpad or mouse. A file of its own: the CSP allows no inline script.
(function () {
  "use strict";
  var LABEL = "Formula, scrolls sideways";
  var pending = false;

  function mark() {
    pending = false;
    var boxes = document.querySelectorAll(".math-display");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", LABEL);
      } else if (!wide && box.getAttribute("aria-label") === LABEL) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }

  function soon() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(mark);
    }
  }

  mark();
  window.addEventListener("resize", soon);
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(soon); // the math font changes every formula's width
  }
  // New formulas: comments and previews swapped in by htmx or the editor.
  new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
})();
