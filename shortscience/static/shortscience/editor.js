// The summary editor: live preview rendered by the server (the same HTML the page will show)
// with the list of formulas that failed, a character counter against the limit, autosave to a
// draft after a few seconds of quiet, and image upload. Without JavaScript the form still
// saves with its buttons; the preview shows after a save.
(function () {
  "use strict";
  var form = document.getElementById("summary-form");
  if (!form) { return; }
  var source = document.getElementById("editor-source");
  var preview = document.getElementById("editor-preview");
  var problemsBox = document.getElementById("formula-problems");
  var counter = document.getElementById("char-count");
  var saveStatus = document.getElementById("autosave-status");
  var baseVersion = document.getElementById("base-version");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var maxChars = parseInt(form.dataset.maxChars, 10) || 0;
  var AUTOSAVE_AFTER_MS = 3000;
  var timer = null;
  var saveTimer = null;
  var latest = 0;
  var savedAt = null;      // when the server last kept this text (ms)
  var savedText = source.value;
  var saving = false;
  var conflicted = document.getElementById("save-conflict") !== null;
  var failure = "";

  function post(url, body) {
    return fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf, "Accept": "application/json" }, credentials: "same-origin" });
  }

  // The server's answer as {ok, status, data}; a non-JSON answer (a proxy's error page) has a message too.
  function answer(r) {
    if (r.status === 401 || r.redirected) { return { ok: false, status: 401, data: { message: "you are signed out. Sign in in another tab; your text stays here." } }; }
    return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; },
      function () { return { ok: r.ok, status: r.status, data: { message: "the server answered " + r.status + "." } }; });
  }

  function paneMessage(text, state) {
    var note = document.createElement("p");
    note.className = "inline-error";
    note.textContent = text;
    preview.replaceChildren(note);
    preview.dataset.state = state;
    showProblems([]);
  }

  // Code points, as the server counts them.
  function length(text) {
    var pairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g);
    return text.length - (pairs ? pairs.length : 0);
  }

  function updateCounter() {
    var n = length(source.value);
    var over = maxChars && n > maxChars;
    counter.textContent = n.toLocaleString("en") + " / " + maxChars.toLocaleString("en") + " characters" +
      (over ? ": " + (n - maxChars).toLocaleString("en") + " over the limit, shorten it before saving" : "");
    counter.classList.toggle("over-limit", !!over);
    return !over;
  }

  function goToLine(line) {
    var lines = source.value.split("\n");
    var at = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) { at += lines[i].length + 1; }
    var end = at + (lines[line - 1] || "").length;
    source.focus();
    source.setSelectionRange(at, end);
    // Scroll the textarea so the line is in view (an estimate from the line height).
    var lineHeight = parseFloat(getComputedStyle(source).lineHeight) || 20;
    source.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }

  function showProblems(problems, total) {
    total = Math.max(total || 0, problems.length);
    problemsBox.replaceChildren();
    problemsBox.hidden = problems.length === 0;
    if (!problems.length) { return; }
    var head = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = (total === 1 ? "1 formula failed" : total + " formulas failed") +
      (total > problems.length ? " (the first " + problems.length + " are listed)" : "") + ":";
    head.appendChild(strong);
    var list = document.createElement("ul");
    problems.forEach(function (p) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#editor-source";
      link.dataset.line = p.line;
      link.textContent = "line " + p.line;
      var code = document.createElement("code");
      code.textContent = p.formula.length > 80 ? p.formula.slice(0, 79) + "…" : p.formula;
      item.append(link, ": ", code, " " + p.message);
      list.appendChild(item);
    });
    problemsBox.append(head, list);
  }

  problemsBox.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-line]");
    if (!link) { return; }
    event.preventDefault();
    goToLine(parseInt(link.dataset.line, 10) || 1);
  });

  function refresh() {
    var ticket = ++latest;
    if (!updateCounter()) {
      paneMessage("No preview: the text is over the " + maxChars.toLocaleString("en") + "-character limit. Shorten it to see the preview.", "refused");
      return;
    }
    var body = new FormData();
    body.append("markdown", source.value);
    post(form.dataset.previewUrl, body).then(answer)
      .then(function (res) {
        if (ticket !== latest) { return; }
        if (!res.ok) { paneMessage("No preview: " + (res.data.message || "the server refused it."), res.status === 401 ? "signed-out" : "refused"); return; }
        preview.innerHTML = res.data.html;
        preview.dataset.state = "fresh";
        showProblems(res.data.formula_problems || [], res.data.formula_problem_count);
      })
      .catch(function () { if (ticket === latest) { paneMessage("No preview: the server could not be reached. Your text is kept here.", "failed"); } });
  }

  function ago(ms) {
    var s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) { return s + " s ago"; }
    var m = Math.round(s / 60);
    return m < 60 ? m + " min ago" : Math.round(m / 60) + " h ago";
  }

  function showSaveStatus() {
    if (failure) { saveStatus.textContent = "Not saved: " + failure; saveStatus.dataset.state = "failed"; return; }
    if (savedAt === null) { saveStatus.textContent = ""; return; }
    var pending = source.value !== savedText;
    saveStatus.textContent = "Draft saved " + ago(savedAt) + (pending ? " (newer changes not saved yet)" : "");
    saveStatus.dataset.state = pending ? "pending" : "saved";
  }

  function autosave() {
    if (conflicted || saving || source.value === savedText || !source.value.trim()) { return; }
    if (!updateCounter()) { failure = "the text is over the " + maxChars.toLocaleString("en") + "-character limit."; showSaveStatus(); return; }
    saving = true;
    var text = source.value;
    var body = new FormData();
    body.append("markdown", text);
    body.append("base_version", baseVersion.value);
    post(form.dataset.autosaveUrl, body).then(answer)
      .then(function (res) {
        if (res.ok) {
          baseVersion.value = res.data.version;
          savedText = text;
          savedAt = Date.now();
          failure = "";
        } else if (res.status === 409) {
          conflicted = true;
          failure = "this summary changed in another tab or device since you opened it. Your text stays here; press a save button to see both versions.";
        } else {
          failure = res.data.message || "the server refused it.";
        }
      })
      .catch(function () { failure = "the server could not be reached. Your text stays here; it is tried again as you type."; })
      .then(function () {
        saving = false;
        showSaveStatus();
        // A button pressed while this autosave was on its way goes now, from its version.
        if (pendingSubmit) { var button = pendingSubmit.button; pendingSubmit = null; form.requestSubmit(button || undefined); return; }
        // Typed on while it was saved: save that too. After a failure, the next keystroke retries.
        if (!failure && source.value !== savedText) { scheduleSave(); }
      });
  }

  var pendingSubmit = null;
  form.addEventListener("submit", function (event) {
    clearTimeout(saveTimer);
    if (saving) { event.preventDefault(); pendingSubmit = { button: event.submitter || null }; }
  });

  function scheduleSave() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(autosave, AUTOSAVE_AFTER_MS);
  }

  source.addEventListener("input", function () {
    preview.dataset.state = "pending";
    updateCounter();
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
    if (!conflicted) { scheduleSave(); }
    showSaveStatus();
  });
  setInterval(showSaveStatus, 1000);
  updateCounter();
  if (source.value && !preview.innerHTML.trim()) { refresh(); }

  var ALT_PLACEHOLDER = "DESCRIBE THIS IMAGE";

  // A description as Markdown image text: one line; brackets become parentheses and
  // backslashes go, since \[..\] and \(..\) are formulas here; a $ is escaped for the same reason.
  function altText(raw) {
    return (raw || "").replace(/\s+/g, " ").trim().replace(/\\/g, "")
      .replace(/\[/g, "(").replace(/\]/g, ")").replace(/\$/g, "\\$");
  }

  var upload = document.getElementById("image-upload");
  var status = document.getElementById("upload-status");
  if (upload) {
    upload.addEventListener("change", function () {
      if (!upload.files.length) { return; }
      var body = new FormData();
      body.append("image", upload.files[0]);
      status.textContent = "Uploading…";
      post(form.dataset.uploadUrl, body)
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (res) {
          if (!res.ok) { status.textContent = res.data.message || "Upload failed."; return; }
          var at = typeof source.selectionStart === "number" ? source.selectionStart : source.value.length;
          // Every image needs its description (alt text) for readers who cannot see it.
          var alt = altText(window.prompt("Describe the image for readers who cannot see it (its alt text):", ""));
          var described = alt !== "";
          var snippet = "\n" + res.data.markdown.replace("![]", "![" + (described ? alt : ALT_PLACEHOLDER) + "]") + "\n";
          source.value = source.value.slice(0, at) + snippet + source.value.slice(at);
          upload.value = "";
          if (described) {
            status.textContent = "Uploaded.";
          } else {
            // The placeholder is selected, so typing replaces it; the status says what to write.
            status.textContent = "Uploaded. Replace \u201c" + ALT_PLACEHOLDER + "\u201d with a short description of the image.";
            var start = at + snippet.indexOf(ALT_PLACEHOLDER);
            source.focus();
            source.setSelectionRange(start, start + ALT_PLACEHOLDER.length);
          }
          refresh();
          scheduleSave();
        })
        .catch(function () { status.textContent = "Upload failed; your text is unchanged."; });
    });
  }
}());
