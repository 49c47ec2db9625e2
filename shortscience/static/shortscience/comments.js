// Live preview of comments: while the writer types in a comment form (a form with
// data-preview-url), the text is sent to the comment preview endpoint after a pause and its
// rendering, exactly as a posted comment shows, appears under the textarea. Without this file
// the form's Preview button does the same with a page load. A file of its own: the CSP allows
// no inline script; the discussion partial may include it more than once on a page.
(function () {
  "use strict";
  if (window.shortscienceCommentPreview) {
    return;
  }
  window.shortscienceCommentPreview = true;
  var PAUSE_MS = 600;

  function attach(form) {
    var textarea = form.querySelector("textarea[name=markdown]");
    var box = form.querySelector(".comment-preview");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!textarea || !box || !csrf || form.dataset.previewAttached) {
      return;
    }
    form.dataset.previewAttached = "1";
    var body = box.querySelector(".comment-body");
    var timer = null;
    var asked = 0;
    var shownText = null;

    function show(html, failed) {
      body.innerHTML = html;
      box.classList.toggle("failed", !!failed);
      box.hidden = false;
    }

    function message(text) {
      var p = document.createElement("p");
      p.className = "form-errors";
      p.setAttribute("role", "alert");
      p.textContent = text;
      body.replaceChildren(p);
      box.classList.add("failed");
      box.hidden = false;
    }

    function ask() {
      var text = textarea.value;
      if (text === shownText) {
        return;
      }
      if (!text.trim()) {
        shownText = text;
        box.hidden = true;
        return;
      }
      var mine = ++asked;
      var data = new FormData();
      data.append("markdown", text);
      fetch(form.dataset.previewUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrf.value, Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (json) {
            return { ok: response.ok, json: json };
          });
        })
        .then(function (answer) {
          if (mine !== asked) {
            return; // a newer request is on its way: its answer wins
          }
          shownText = text;
          if (answer.ok) {
            show(answer.json.html, false);
          } else {
            message(answer.json.message || "The preview failed.");
          }
        })
        .catch(function () {
          if (mine === asked) {
            message("The preview is not available right now; your text is kept.");
          }
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, PAUSE_MS);
    });
  }

  function attachAll() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-preview-url]"), attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attachAll);
  } else {
    attachAll();
  }
})();
