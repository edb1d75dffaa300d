/* The adhesion form, improved: it works without this file; with it, the page shows only the
   chosen kind's part, the suggested amount and the net cost at once, and adds correspondent rows
   without a round trip. Amounts are computed the same way as the server (Scale.net_cost:
   round half up to the euro; Scale.suggested_amount: the first bracket whose ceiling is above). */
(function () {
  "use strict";
  var form = document.getElementById("adhesion-form");
  if (!form) { return; }
  var data = JSON.parse(document.getElementById("scale-data").textContent);
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }
  var NBSP = "\u00a0";

  function parseAmount(text) {
    var clean = String(text || "").replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
    if (!/^\d+(\.\d{0,2})?$/.test(clean)) { return null; }
    return Number(clean);
  }

  function euros(value, decimals) {
    var fixed = value.toFixed(decimals);
    var parts = fixed.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
    return (parts[1] ? whole + "," + parts[1] : whole) + NBSP + "€";
  }

  function show(el, text) { if (el) { el.textContent = text; } }

  // Kind: show the chosen part only.
  var sections = form.querySelectorAll("section[data-kind]");
  function currentKind() {
    var checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : null;
  }
  function toggleKind() {
    var kind = currentKind();
    sections.forEach(function (section) {
      section.hidden = kind !== null && section.getAttribute("data-kind") !== kind;
    });
  }
  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", toggleKind);
  });
  toggleKind();

  // Individuals: the net cost of the chosen amount.
  var rate = Number(data.rate);
  var netCost = document.getElementById("net-cost");
  var otherAmount = document.getElementById("id_other_amount");
  function chosenAmount() {
    var tier = form.querySelector("input[name=tier]:checked");
    if (!tier) { return null; }
    if (tier.value === "other") { return otherAmount ? parseAmount(otherAmount.value) : null; }
    return Number(tier.value);
  }
  function updateNetCost() {
    var amount = chosenAmount();
    if (!netCost || amount === null || amount <= 0 || !rate) { show(netCost, ""); return; }
    var net = Math.floor(amount * (1 - rate) + 0.5 + 1e-9);
    show(netCost, netCost.getAttribute("data-template")
      .replace("{amount}", euros(amount, 2)).replace("{net}", euros(net, 0)));
  }
  form.querySelectorAll("input[name=tier]").forEach(function (radio) {
    radio.addEventListener("change", updateNetCost);
  });
  if (otherAmount) {
    otherAmount.addEventListener("input", function () {
      var other = form.querySelector("input[name=tier][value=other]");
      if (other && otherAmount.value) { other.checked = true; }
      updateNetCost();
    });
  }
  updateNetCost();

  // Organisations: the bracket's amount as soon as the budget is typed.
  var budget = document.getElementById("id_org-annual_budget");
  var orgAmount = document.getElementById("id_org_amount");
  var suggested = document.getElementById("suggested-amount");
  var typedByHand = orgAmount && orgAmount.value !== "";
  function suggestion(value) {
    for (var i = 0; i < data.brackets.length; i++) {
      var ceiling = data.brackets[i].ceiling;
      if (ceiling === null || value < Number(ceiling)) { return Number(data.brackets[i].amount); }
    }
    return null;
  }
  function updateSuggestion() {
    var value = budget ? parseAmount(budget.value) : null;
    var amount = value === null ? null : suggestion(value);
    if (amount === null) { show(suggested, ""); return; }
    show(suggested, suggested.getAttribute("data-template").replace("{amount}", euros(amount, 2)));
    if (orgAmount && !typedByHand) { orgAmount.value = String(amount).replace(".", ","); }
    form.querySelectorAll(".brackets tbody tr").forEach(function (row) {
      row.classList.toggle("current", Number(row.getAttribute("data-amount")) === amount);
    });
  }
  if (orgAmount) {
    orgAmount.addEventListener("input", function () { typedByHand = orgAmount.value !== ""; });
  }
  if (budget) { budget.addEventListener("input", updateSuggestion); updateSuggestion(); }

  // Correspondents: a new row from the <template>, without reloading the page.
  var addButton = document.getElementById("add-correspondent");
  var template = document.getElementById("correspondent-template");
  var rows = document.getElementById("correspondent-rows");
  var total = form.querySelector("input[name=corr-TOTAL_FORMS]");
  var max = form.querySelector("input[name=corr-MAX_NUM_FORMS]");
  if (addButton && template && rows && total) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var index = Number(total.value);
      if (max && index >= Number(max.value)) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = rows.lastElementChild.querySelector("input");
      if (first) { first.focus(); }
    });
  }
}());
