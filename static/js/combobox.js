/* The staff's member search: an ARIA combobox over a listbox, keyboard first, no dependency.
   Used by the desk (one per page) and the bank's review queue (one per line).

   CACCombobox({input, list, chosen, hidden, url, onPick}) wires a text input to a listbox fed
   by the desk's JSON search (`{results: [{id, reference, label, detail, pledge_label}]}`):
   ↓ ↑ browse, Enter picks (the first result when none is highlighted), Escape closes. The
   chosen member's id goes into `hidden`; `onPick(member)` says where the keyboard goes next,
   and is called again by Enter once a member is chosen and the list is closed;
   `onResults(data)` sees each answer of the search whole (the desk shows the pledges found by
   their reference). */
(function () {
  "use strict";

  window.CACCombobox = function (options) {
    var input = options.input;
    var list = options.list;
    var chosen = options.chosen;
    var hidden = options.hidden;
    var onPick = options.onPick || function () {};
    var onResults = options.onResults || function () {};
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
        li.id = list.id + "-" + member.id;
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
        none.id = list.id + "-none";
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
      var url = options.url + "?q=" + encodeURIComponent(query);
      pending = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (query === input.value.trim()) { results = data.results || []; render(); onResults(data); }
        })
        .catch(function () { results = []; render(); onResults({}); });
      return pending;
    }

    function pick(index) {
      var member = results[index];
      if (!member) { return; }
      hidden.value = member.id;
      input.value = member.label;
      lastQuery = input.value.trim();
      chosen.textContent = "Choisi : " + member.label + " (" + member.reference + ")";
      open(false);
      onPick(member);
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
        if (hidden.value && list.hidden) { onPick(null); return; }
        search().then(function () { pick(active >= 0 ? active : 0); });
      } else if (key === "Escape") {
        if (!list.hidden) { event.preventDefault(); event.stopPropagation(); open(false); }
      }
    });

    input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 100); });

    return { search: search };
  };
})();
