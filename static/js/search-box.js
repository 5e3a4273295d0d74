// Enter searches in the search boxes; Shift+Enter starts a new line.
//
// The boxes are textareas so that a forwarded message pasted whole keeps its line breaks (the matching
// reads whole posts, clarifications/search/). A textarea cannot submit on Enter by itself: without
// JavaScript, Enter adds a line and the visible Search button searches. Here Enter submits, and the
// phone keyboard's Enter key is labelled as a search key (enterkeyhint) only now that it does search.
// Pasting never submits, and Enter that ends a Chinese input method's composition is left to it.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-enter-searches]").forEach(function (box) {
    box.setAttribute("enterkeyhint", "search");
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
        return;
      }
      event.preventDefault();
      var form = box.form;
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
  });
})();
