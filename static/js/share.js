// The share block: native sharing where the browser offers it, and a "copy link" button. Without
// JavaScript the block still shows the link itself, so nothing here is needed to share.
(function () {
  "use strict";
  document.querySelectorAll("[data-share]").forEach(function (block) {
    var url = block.getAttribute("data-share-url");
    var title = block.getAttribute("data-share-title");
    var status = block.querySelector("[data-share-status]");
    var actions = block.querySelector("[data-share-actions]");
    var nativeButton = block.querySelector("[data-share-native]");
    var copyButton = block.querySelector("[data-share-copy]");

    function say(message) {
      status.textContent = message;
    }

    if (navigator.share) {
      nativeButton.hidden = false;
      nativeButton.addEventListener("click", function () {
        navigator.share({ title: title, url: url }).catch(function () {
          // Cancelled by the reader, or refused by the browser: the copy button remains.
        });
      });
    }

    if (navigator.clipboard && window.isSecureContext) {
      copyButton.hidden = false;
      copyButton.addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(
          function () {
            say(block.getAttribute("data-copied-message"));
          },
          function () {
            say(block.getAttribute("data-copy-failed-message"));
          }
        );
      });
    }

    actions.hidden = nativeButton.hidden && copyButton.hidden;
  });
})();
