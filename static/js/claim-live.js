/* The live claim page: an enhancement, the page works without it.
 *
 * Every few seconds it asks the claim's live address (data-live-url) whether anything changed,
 * with the ETag of what it shows (If-None-Match). The answer is 304 when nothing did, or else the
 * page's live parts (the status line, the stance counts, the chart and the timeline), each of
 * which replaces the element of the same id. Never while a live part has the focus or an opened
 * retraction form: the colleague's text would be lost; the next poll tries again. A hidden tab
 * does not poll. A claim merged away answers with a redirect: the page reloads onto the survivor.
 */
(function () {
  "use strict";
  var page = document.querySelector("[data-live-url]");
  if (!page || !window.fetch || !("content" in document.createElement("template"))) {
    return;
  }
  // An older link to an appearance (#appearance-12, without ?event=) whose appearance is not among
  // those a long timeline shows: ask the server for the page that includes it.
  var linked = window.location.hash.slice(1);
  if (/^(appearance|evidence)-\d+$/.test(linked) && !document.getElementById(linked) &&
      !/[?&]event=/.test(window.location.search)) {
    window.location.replace(window.location.pathname + "?event=" + linked + "#" + linked);
    return;
  }
  var url = page.getAttribute("data-live-url");
  var etag = page.getAttribute("data-live-etag");
  var every = parseInt(page.getAttribute("data-live-every"), 10) || 5000;

  function inUse(region) {
    var focused = document.activeElement;
    return (focused && focused !== document.body && region.contains(focused)) || region.querySelector("details[open]");
  }

  function swap(html, newEtag) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fresh = Array.prototype.slice.call(template.content.querySelectorAll(".live-region[id]"));
    var pairs = fresh.map(function (element) {
      return [document.getElementById(element.id), element];
    });
    if (pairs.some(function (pair) { return pair[0] && inUse(pair[0]); })) {
      return;
    }
    pairs.forEach(function (pair) {
      if (pair[0]) {
        pair[0].replaceWith(pair[1]);
      }
    });
    etag = newEtag || etag;
  }

  function poll() {
    if (document.hidden) {
      return later();
    }
    var headers = { "X-Requested-With": "claim-live" };
    if (etag) {
      headers["If-None-Match"] = etag;
    }
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect") {
          // The claim was merged into another: reloading the page takes the reader to it.
          window.location.reload();
          return null;
        }
        if (response.status !== 200) {
          return null;
        }
        var newEtag = response.headers.get("ETag");
        return response.text().then(function (html) {
          swap(html, newEtag);
        });
      })
      .catch(function () {})
      .then(later);
  }

  function later() {
    window.setTimeout(poll, every);
  }

  later();
})();
