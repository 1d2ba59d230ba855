/* An import's page while it runs: asks the server for the progress every second and reloads the
   page once the run has moved on (checked, saved, failed or stalled). Without JS, a meta refresh does it. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector(".progress-text");
  var tag = document.querySelector("h1 .tag[data-status]");
  var url = box.getAttribute("data-progress-url");
  var failures = 0;

  function show(data) {
    if (data.status === "validating" && data.total > 0) {
      bar.max = data.total;
      bar.value = data.done;
    } else {
      bar.removeAttribute("value"); // indeterminate: queued, reading, or saving in one transaction
    }
    bar.textContent = data.text;
    text.textContent = data.text;
    if (tag && tag.getAttribute("data-status") !== data.status) {
      tag.className = tag.className.replace("run-" + tag.getAttribute("data-status"), "run-" + data.status);
      tag.setAttribute("data-status", data.status);
      tag.textContent = data.label;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        if (!data.running || data.stale) {
          window.location.reload();
          return;
        }
        show(data);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // A restarting server or a dropped connection: keep trying, more slowly.
        failures += 1;
        window.setTimeout(poll, Math.min(30000, 1000 * Math.pow(2, failures)));
      });
  }

  window.setTimeout(poll, 1000);
})();
