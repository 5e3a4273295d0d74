/* Tip form: after a refused submit, focus goes to the first field in error (the page says which fields
   at the top); a screenshot over the limit is refused as soon as it is chosen, in the server's words,
   and its name is sent with the form (refused_screenshot) so that a report then sent without a picture
   says so on its receipt, never silently. Progressive enhancement only: without this file the server
   gives the same answers after sending. */
(function () {
  "use strict";
  var form = document.querySelector("form.tip-form");
  if (!form) { return; }

  var first = form.querySelector("[aria-invalid=true]");
  if (first) {
    first.focus();
    if (first.scrollIntoView) { first.scrollIntoView({ block: "center" }); }
  }

  var input = form.querySelector("input[type=file][data-max-bytes]");
  if (!input) { return; }
  var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
  var template = input.getAttribute("data-too-large");
  var note = document.createElement("p");
  note.className = "errorlist";
  note.id = input.id + "_too_large";
  note.setAttribute("role", "alert");
  note.hidden = true;
  input.parentNode.insertBefore(note, input);

  var refused = form.querySelector("input[name=refused_screenshot]");
  if (!refused) {
    refused = document.createElement("input");
    refused.type = "hidden";
    refused.name = "refused_screenshot";
    form.appendChild(refused);
  }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (file && file.size > maxBytes) {
      // One decimal, rounded up, as the server writes it: just over 5 MB reads 5.1, never 5.0.
      var size = (Math.ceil(file.size * 10 / 1048576) / 10).toFixed(1);
      note.textContent = template.replace("{size}", size) + " " + input.getAttribute("data-not-attached");
      note.hidden = false;
      refused.value = file.name;
      input.value = "";
      input.setAttribute("aria-invalid", "true");
    } else {
      note.hidden = true;
      if (file) { refused.value = ""; }
      input.removeAttribute("aria-invalid");
    }
  });
})();
