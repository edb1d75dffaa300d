/* The bank's review queue, keyboard first like the desk: the first line has the focus;
   ↓ ↑ (or J K) move between lines; Enter confirms the line's first suggestion; M searches
   another member (the desk's combobox, static/js/combobox.js), whose Enter then confirms;
   X goes to the dismissal's reason, whose Enter dismisses; Escape comes back to the line.
   Without JavaScript every form still works with the mouse or Tab. */
(function () {
  "use strict";

  var lines = Array.prototype.slice.call(document.querySelectorAll("[data-bank-line]"));

  // Each "another member" form gets its combobox; Enter on a chosen member goes to its button.
  document.querySelectorAll("form[data-pick]").forEach(function (form) {
    var input = form.querySelector("[role=combobox]");
    if (!input || !window.fetch || !window.CACCombobox) { return; }
    var button = form.querySelector("button[type=submit]");
    window.CACCombobox({
      input: input,
      list: document.getElementById(input.getAttribute("aria-controls")),
      chosen: document.getElementById(input.id + "-chosen"),
      hidden: form.querySelector("input[name=member]"),
      url: input.dataset.url,
      onPick: function () { button.focus(); }
    });
  });

  if (!lines.length) { return; }

  function lineOf(node) {
    return node.closest ? node.closest("[data-bank-line]") : null;
  }

  function move(line, step) {
    var next = lines[lines.indexOf(line) + step];
    if (next) { next.focus(); next.scrollIntoView({ block: "nearest" }); }
  }

  function submit(form) {
    if (!form) { return; }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    var line = lineOf(target);
    if (!line) { return; }
    if (event.key === "Escape" && target !== line) {
      event.preventDefault();
      line.focus();
      return;
    }
    if (target !== line) { return; }
    var key = event.key.toLowerCase();
    if (key === "arrowdown" || key === "j") {
      event.preventDefault();
      move(line, 1);
    } else if (key === "arrowup" || key === "k") {
      event.preventDefault();
      move(line, -1);
    } else if (key === "enter") {
      event.preventDefault();
      submit(line.querySelector("form[data-suggestion]"));
    } else if (key === "m") {
      event.preventDefault();
      line.querySelector("form[data-pick] [role=combobox]").focus();
    } else if (key === "x") {
      event.preventDefault();
      line.querySelector("form[data-dismiss] input[name=reason]").focus();
    }
  });

  // After each confirmation the page comes back: the next line to review is the first.
  if (!document.querySelector("#form-errors, .messages .error")) { lines[0].focus(); }
})();
