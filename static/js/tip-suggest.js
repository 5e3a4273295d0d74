/* Tip form: while the citizen types, show published clarifications that may already answer them.
   Progressive enhancement only: the form works the same without this file. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form || !window.fetch) { return; }
  var field = form.querySelector("textarea[name=text]");
  var box = document.getElementById(form.getAttribute("data-suggest-target"));
  if (!field || !box) { return; }
  var list = box.querySelector("ul");
  var url = form.getAttribute("data-suggest-url");
  var timer = null;
  var lastQuery = "";
  var controller = null;

  function render(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      link.target = "_blank";
      link.rel = "noopener";
      li.appendChild(link);
      if (item.verdict_label) {
        var verdict = document.createElement("span");
        verdict.className = "tip-suggestion-verdict";
        verdict.textContent = " · " + item.verdict_label;
        li.appendChild(verdict);
      }
      if (item.truth) {
        var truth = document.createElement("p");
        truth.textContent = item.truth;
        li.appendChild(truth);
      }
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }

  function lookUp() {
    var query = field.value.trim().slice(0, 2000);
    if (query === lastQuery) { return; }
    lastQuery = query;
    if (query.length < 2) { render([]); return; }
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    // Posted, not in the address: a whole pasted message is longer than a server takes in a URL.
    var body = new URLSearchParams();
    body.append("q", query);
    fetch(url, { method: "POST", body: body, headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (data) {
        var items = (data && data.results) || [];
        render(items);
      })
      .catch(function () { /* Suggestions are a bonus: on any failure the form simply carries on. */ });
  }

  field.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 400);
  });
})();
