/* The treasurer's batch: refresh the progress bar while the batch runs, then reload the page
   once to show the counts and the receipts. Without JavaScript, a <noscript> refresh does it. */
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-progress-url]");
  if (!box || box.getAttribute("data-batch-status") !== "running") return;
  var url = box.getAttribute("data-batch-progress-url");
  var bar = document.getElementById("batch-progress");
  var counts = document.getElementById("batch-counts");
  var template = box.getAttribute("data-counts-template");

  function show(state) {
    bar.max = Math.max(state.total, 1);
    bar.value = state.done;
    bar.textContent = state.percent + " %";
    counts.textContent = template.replace(/%\((\w+)\)s/g, function (_, key) { return state[key]; });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
      .then(function (state) {
        show(state);
        if (state.finished) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
