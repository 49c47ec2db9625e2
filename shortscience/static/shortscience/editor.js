// The summary editor: live preview rendered by the server (the same HTML the page will show)
// and image upload. Without JavaScript the form still saves; the preview shows after a save.
(function () {
  "use strict";
  var form = document.getElementById("summary-form");
  if (!form) { return; }
  var source = document.getElementById("editor-source");
  var preview = document.getElementById("editor-preview");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timer = null;
  var latest = 0;

  // Never navigate away from the editor: the text in the box must not be lost.
  function signedOut() {
    var note = document.createElement("p");
    note.className = "inline-error";
    note.textContent = "You are signed out, so the preview stopped. Sign in in another tab; your text stays here.";
    preview.replaceChildren(note);
    preview.dataset.state = "signed-out";
  }

  function post(url, body) {
    return fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf, "Accept": "application/json" }, credentials: "same-origin" });
  }

  function refresh() {
    var ticket = ++latest;
    var body = new FormData();
    body.append("markdown", source.value);
    post(form.dataset.previewUrl, body)
      .then(function (r) {
        if (r.status === 401 || r.redirected) { signedOut(); return Promise.reject(r.status); }
        return r.ok ? r.text() : Promise.reject(r.status);
      })
      .then(function (html) { if (ticket === latest) { preview.innerHTML = html; preview.dataset.state = "fresh"; } })
      .catch(function () { preview.dataset.state = "stale"; });
  }

  source.addEventListener("input", function () {
    preview.dataset.state = "pending";
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  if (source.value && !preview.innerHTML.trim()) { refresh(); }

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
          var snippet = "\n" + res.data.markdown + "\n";
          source.value = source.value.slice(0, at) + snippet + source.value.slice(at);
          status.textContent = "Uploaded.";
          upload.value = "";
          refresh();
        })
        .catch(function () { status.textContent = "Upload failed; your text is unchanged."; });
    });
  }
}());
