// Counts one reading of this clarification for the "most asked" ranking (clarifications/popularity.py):
// a beacon with no body, no cookie and nothing about the reader. Without JavaScript nothing is counted.
(function () {
  "use strict";
  var beacon = document.querySelector('meta[name="piyao-seen-beacon"]');
  if (beacon && navigator.sendBeacon) {
    navigator.sendBeacon(beacon.getAttribute("content"));
  }
})();
