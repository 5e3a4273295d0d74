/* "Check a screenshot": while the picture is read, ask every second whether the result is ready and
   show it at once. Progressive enhancement: without this file the page's meta refresh does the same. */
(function () {
  "use strict";
  var page = document.querySelector("[data-progress-url]");
  if (!page || !window.fetch) { return; }
  var url = page.getAttribute("data-progress-url");
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.done) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
