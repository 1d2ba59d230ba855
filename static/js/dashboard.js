/* The dashboard's three charts (Chart.js, vendored). Data comes from the page's #chart-data JSON. */
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var lang = document.documentElement.lang || "vi";
  var fmt = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  var red = "#b3261e", grey = "#5f6670", gold = "#c99a06";

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false; // modest office PCs, and printing: draw once
  Chart.defaults.maintainAspectRatio = false;
  var ticks = { callback: function (v) { return fmt.format(v); } };
  // Long labels in two or more lines (Chart.js draws an array as lines): on a narrow chart a long label
  // on the y axis was cut off at its left edge ("ừ 30 tuổi …").
  function wrap(label) {
    var words = String(label).split(" "), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > 18) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    return lines.length > 1 ? lines : label;
  }
  var tooltip = { callbacks: { label: function (c) { return c.dataset.label + ": " + fmt.format(c.parsed.y === undefined ? c.parsed : c.parsed.y); } } };

  var months = document.getElementById("chart-months");
  if (months) {
    var sets = [{ label: data.labels.cumulative, data: data.cumulative, borderColor: red, backgroundColor: red, spanGaps: false, tension: 0.1 }];
    if (data.target.length) {
      sets.push({ label: data.labels.target, data: data.target, borderColor: grey, borderDash: [6, 4], pointRadius: 0, fill: false });
    }
    new Chart(months, { type: "line", data: { labels: data.months, datasets: sets },
      options: { scales: { y: { beginAtZero: true, ticks: ticks } }, plugins: { tooltip: tooltip } } });
  }

  var children = document.getElementById("chart-children");
  if (children) {
    var many = data.children.length > 8;
    var pct = data.children_percent_any;
    var values = pct ? data.children_percent : data.children_admitted;
    children.parentNode.style.height = (many ? Math.max(240, data.children.length * 30) : 260) + "px";
    new Chart(children, { type: "bar",
      data: { labels: many ? data.children.map(wrap) : data.children, datasets: [{ label: pct ? data.labels.percent : data.labels.admitted, data: values, backgroundColor: values.map(function (v) { return pct && v !== null && v >= 100 ? "#1e7b34" : red; }) }] },
      options: { indexAxis: many ? "y" : "x", plugins: { legend: { display: false },
        tooltip: { callbacks: { label: function (c) { var v = many ? c.parsed.x : c.parsed.y; return v === null ? "–" : fmt.format(v) + (pct ? "%" : ""); } } } },
        scales: { x: { beginAtZero: true, ticks: many ? ticks : {} }, y: { beginAtZero: true, ticks: many ? { autoSkip: false } : ticks } } } });
  }

  var cats = document.getElementById("chart-categories");
  if (cats) {
    cats.parentNode.style.height = Math.max(260, data.categories.length * 36) + "px"; // every label, in two lines
    new Chart(cats, { type: "bar",
      data: { labels: data.categories.map(wrap), datasets: [{ label: data.labels.admitted, data: data.category_counts, backgroundColor: gold }] },
      options: { indexAxis: "y", plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return fmt.format(c.parsed.x); } } } },
        scales: { x: { beginAtZero: true, ticks: ticks }, y: { ticks: { autoSkip: false } } } } });
  }
})();
