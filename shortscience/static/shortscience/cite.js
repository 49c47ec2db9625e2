// The paper page's cite box (templates/papers/_cite.html): copy buttons beside the BibTeX and
// plain-text citations. Without JS (or without a clipboard) the buttons stay hidden and the
// text stays selectable in its read-only box.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("button.cite-copy[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(
        function () { button.textContent = "Copied"; },
        function () { source.select(); button.textContent = "Select and copy"; }
      ).then(function () {
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
})();
