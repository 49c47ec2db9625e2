// Counts this page view (services/pageviews.py, docs/rankings.md "Views"): one empty POST to the
// URL in this script tag's data-beacon, after the page is shown to a person. The page itself is
// the same cached bytes for everyone; no cookie is read or set. A prerendered page waits until
// it is actually shown; a prefetch never runs scripts. A file of its own: the CSP allows no
// inline script.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-beacon");
  if (!url) {
    return;
  }
  var sent = false;

  function send() {
    if (sent || document.visibilityState === "hidden") {
      return;
    }
    sent = true;
    if (navigator.sendBeacon) {
      navigator.sendBeacon(url);
    } else if (window.fetch) {
      fetch(url, { method: "POST", keepalive: true, credentials: "omit" });
    }
  }

  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else if (document.visibilityState === "hidden") {
    // Opened in a background tab: counted when the reader looks at it.
    document.addEventListener("visibilitychange", send);
  } else {
    send();
  }
})();
