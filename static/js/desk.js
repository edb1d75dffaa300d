/* The desk's page: the member search (static/js/combobox.js, loaded before this file), the
   payment form around it, the paper form's two kinds. Without JavaScript the page keeps its
   plain search form and <select>. */
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
  if (!form || !box || !window.fetch || !window.CACCombobox) { return; }

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

  function focusAmount() {
    if (amount) { amount.focus(); amount.select(); }
  }

  // A pledge's reference (P2026-000042) typed in the search: a link to the pledge, to match it.
  var pledgesFound = document.getElementById("pledges-found");
  function showPledges(data) {
    if (!pledgesFound) { return; }
    pledgesFound.textContent = "";
    (data.pledges || []).forEach(function (pledge) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = pledge.url;
      link.textContent = pledge.label;
      li.appendChild(link);
      pledgesFound.appendChild(li);
    });
  }

  window.CACCombobox({
    input: input,
    list: list,
    chosen: chosen,
    hidden: hidden,
    url: box.dataset.url,
    onResults: showPledges,
    onPick: function (member) {
      if (member && amount && !amount.value && member.pledge) {
        amount.value = member.pledge.replace(".", ",");
      }
      focusAmount();
    }
  });

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
