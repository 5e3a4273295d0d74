// The share kit (templates/includes/share.html): "copy for WeChat" and the system share sheet where
// the browser has one. Without JavaScript the kit still shows the text to copy, the link
// and the picture, so nothing here is needed to share.
(function () {
  "use strict";

  // The Clipboard API where the page may use it; otherwise the selected text and the old copy command.
  function copy(text, field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyBySelection(field);
      });
    }
    return copyBySelection(field);
  }

  function copyBySelection(field) {
    return new Promise(function (resolve, reject) {
      field.closest("details").open = true;
      field.focus();
      field.select();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      if (copied) {
        resolve();
      } else {
        reject(new Error("copy refused"));
      }
    });
  }

  document.querySelectorAll("[data-share]").forEach(function (block) {
    var url = block.getAttribute("data-share-url");
    var title = block.getAttribute("data-share-title");
    var status = block.querySelector("[data-share-status]");
    var field = block.querySelector("[data-share-text]");
    var wechatButton = block.querySelector("[data-share-wechat]");
    var nativeButton = block.querySelector("[data-share-native]");

    function say(message) {
      status.textContent = message;
    }

    function failed() {
      // The text stays selected in the opened section: a long press copies it.
      field.closest("details").open = true;
      field.select();
      say(block.getAttribute("data-copy-failed-message"));
    }

    wechatButton.addEventListener("click", function () {
      copy(field.value, field).then(function () {
        say(block.getAttribute("data-copied-message"));
      }, failed);
    });

    if (navigator.share) {
      nativeButton.addEventListener("click", function () {
        navigator.share({ title: title, text: field.value.replace(url, "").trim(), url: url }).catch(function () {
          // Cancelled by the reader, or refused by the browser: the other buttons remain.
        });
      });
    }
  });
})();
