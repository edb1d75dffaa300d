/* The desk's member search: an ARIA combobox over a listbox, keyboard first, no dependency.
   Without JavaScript the page keeps its plain search form and <select>. */
(function () {
  "use strict";

  // The paper form: show only the chosen kind's part (without JavaScript both stay visible).
  var kinds = document.querySelectorAll("input[name=kind]");
  if (kinds.length) {
    var showKind = function () {
      var checked = document.querySelector("input[name=kind]:checked");
      document.querySelectorAll("[data-kind-section]").forEach(function (section) {
        section.hidden = !!checked && section.dataset.kindSection !== checked.value;
      });
    };
    kinds.forEach(function (radio) { radio.addEventListener("change", showKind); });
    showKind();
  }

  var form = document.getElementById("payment-form");
  var box = document.querySelector("[data-combobox]");
  if (!form || !box || !window.fetch) { return; }

  var input = document.getElementById("member-search");
  var list = document.getElementById("member-results");
  var chosen = document.getElementById("member-chosen");
  var amount = document.getElementById("id_amount");
  var method = document.getElementById("id_method");

  // Swap the no-JS parts for the combobox; the member travels in a hidden input.
  document.querySelectorAll("[data-nojs]").forEach(function (node) { node.remove(); });
  box.hidden = false;
  var hidden = document.createElement("input");
  hidden.type = "hidden";
  hidden.name = "member";
  hidden.value = box.dataset.selected || "";
  form.appendChild(hidden);

  var pledgesFound = document.getElementById("pledges-found");
  var results = [];
  var active = -1;
  var pending = null;
  var timer = null;
  var lastQuery = null;

  function open(expanded) {
    list.hidden = !expanded;
    input.setAttribute("aria-expanded", expanded ? "true" : "false");
    if (!expanded) { input.removeAttribute("aria-activedescendant"); }
  }

  function highlight(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0 && list.children[index]) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render() {
    list.textContent = "";
    results.forEach(function (member, i) {
      var li = document.createElement("li");
      li.id = "member-option-" + member.id;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var label = document.createElement("span");
      label.className = "desk-option-label";
      label.textContent = member.label;
      var detail = document.createElement("span");
      detail.className = "desk-option-detail";
      detail.textContent = member.detail + (member.pledge_label ? " · " + member.pledge_label : "");
      li.appendChild(label);
      li.appendChild(detail);
      li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
      list.appendChild(li);
    });
    if (!results.length && lastQuery) {
      var none = document.createElement("li");
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      none.id = "member-option-none";
      none.textContent = list.dataset.empty || "Aucun membre trouvé";
      list.appendChild(none);
    }
    open(list.children.length > 0);
    highlight(-1);
  }

  function search() {
    var query = input.value.trim();
    clearTimeout(timer);
    if (query === lastQuery && pending) { return pending; }
    lastQuery = query;
    if (!query) { results = []; render(); pending = Promise.resolve(); return pending; }
    var url = box.dataset.url + "?q=" + encodeURIComponent(query);
    pending = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (query === input.value.trim()) {
          results = data.results;
          render();
          showPledges(data.pledges || []);
        }
      })
      .catch(function () { results = []; render(); showPledges([]); });
    return pending;
  }

  // A pledge's reference (P2026-000042) typed in the search: a link to the pledge, to match it.
  function showPledges(pledges) {
    if (!pledgesFound) { return; }
    pledgesFound.textContent = "";
    pledges.forEach(function (pledge) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = pledge.url;
      link.textContent = pledge.label;
      li.appendChild(link);
      pledgesFound.appendChild(li);
    });
  }

  function pick(index) {
    var member = results[index];
    if (!member) { return; }
    hidden.value = member.id;
    input.value = member.label;
    lastQuery = input.value.trim();
    chosen.textContent = "Choisi : " + member.label + " (" + member.reference + ")";
    open(false);
    if (amount && !amount.value && member.pledge) {
      amount.value = member.pledge.replace(".", ",");
    }
    if (amount) { amount.focus(); amount.select(); }
  }

  input.addEventListener("input", function () {
    hidden.value = "";
    chosen.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });

  input.addEventListener("keydown", function (event) {
    var key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      var step = key === "ArrowDown" ? 1 : -1;
      search().then(function () {
        if (!results.length) { return; }
        open(true);
        var next = active + step;
        if (next < 0) { next = results.length - 1; }
        if (next >= results.length) { next = 0; }
        highlight(next);
      });
    } else if (key === "Enter") {
      // Enter in the search picks a member; it never submits the form half-filled.
      event.preventDefault();
      if (hidden.value && list.hidden) { if (amount) { amount.focus(); amount.select(); } return; }
      search().then(function () { pick(active >= 0 ? active : 0); });
    } else if (key === "Escape") {
      if (!list.hidden) { event.preventDefault(); open(false); }
    }
  });

  input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 100); });

  // Cheque-only fields step aside for transfers and cash.
  function toggleChequeFields() {
    var isCheque = !method || method.value === "cheque";
    document.querySelectorAll("[data-cheque-only]").forEach(function (field) {
      field.hidden = !isCheque;
    });
  }
  if (method) { method.addEventListener("change", toggleChequeFields); toggleChequeFields(); }

  form.addEventListener("submit", function (event) {
    if (!hidden.value) {
      event.preventDefault();
      chosen.textContent = "Choisissez d'abord le membre.";
      input.focus();
    }
  });

  // After a save, straight back to the search for the next envelope; after an error, to it.
  var firstError = form.querySelector(".has-error input, .has-error select");
  if (document.getElementById("form-errors") || firstError) {
    (firstError || amount || input).focus();
  } else {
    input.focus();
  }
})();
