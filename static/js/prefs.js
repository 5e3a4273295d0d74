// The reader's display preferences. Loaded in <head> without defer, so that a remembered large text
// size is applied before the first paint instead of the page jumping after it loads.
(function () {
  "use strict";
  var KEY = "piyao-large-text";
  var root = document.documentElement;

  function remembered() {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch (error) {
      return false; // Storage blocked (private mode, strict settings): the switch still works per page.
    }
  }

  function remember(on) {
    try {
      window.localStorage.setItem(KEY, on ? "1" : "0");
    } catch (error) {
      // Nothing to do: the preference simply is not kept.
    }
  }

  if (remembered()) {
    root.classList.add("large-text");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-large-text-toggle]");
    function show(on) {
      buttons.forEach(function (button) {
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }
    buttons.forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var on = root.classList.toggle("large-text");
        remember(on);
        show(on);
      });
    });
    show(root.classList.contains("large-text"));
  });
})();
