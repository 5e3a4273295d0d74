// Counts one reading of this clarification for the "most asked" ranking (clarifications/popularity.py):
// a beacon with no body, no cookie and nothing about the reader. Without JavaScript nothing is counted.
(function () {
  "use strict";
  var script = document.querySelector("script[data-seen-url]");
  if (script && navigator.sendBeacon) {
    navigator.sendBeacon(script.getAttribute("data-seen-url"));
  }
})();
