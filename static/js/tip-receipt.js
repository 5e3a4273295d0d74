/* Tip receipt: a "copy the code" button where the browser lets a page write to the clipboard.
   Without it the code stays on the page to note down, so the button is shown only by this script. */
(function () {
  "use strict";
  var block = document.querySelector("[data-copy-code]");
  if (!block || !(navigator.clipboard && window.isSecureContext)) { return; }
  var status = block.querySelector("[data-copy-status]");
  block.querySelector("button").addEventListener("click", function () {
    navigator.clipboard.writeText(block.getAttribute("data-copy-code")).then(
      function () { status.textContent = block.getAttribute("data-copied-message"); },
      function () { status.textContent = block.getAttribute("data-copy-failed-message"); }
    );
  });
  block.hidden = false;
})();
