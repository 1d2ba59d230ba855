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

  var made = []; // every chart drawn, to resize for printing
  var printing = window.matchMedia ? window.matchMedia("print") : null;

  var months = document.getElementById("chart-months");
  if (months) {
    var sets = [{ label: data.labels.cumulative, data: data.cumulative, borderColor: red, backgroundColor: red, spanGaps: false, tension: 0.1 }];
    if (data.target.length) {
      sets.push({ label: data.labels.target, data: data.target, borderColor: grey, borderDash: [6, 4], pointRadius: 0, fill: false });
    }
    made.push(new Chart(months, { type: "line", data: { labels: data.months, datasets: sets },
      options: { scales: { y: { beginAtZero: true, ticks: ticks } }, plugins: { tooltip: tooltip } } }));
  }

  // The unit chart: horizontal bars, one row per unit, its name on the y axis in at most two lines (vertical
  // bars with rotated names overlapped and were cut). A longer name keeps its beginning and its end, which
  // tells units apart ("Chi bộ Thôn … Số 7"), with "…" between; the full name is the tooltip's title.
  function shorten(label, width) {
    var words = String(label).split(" ");
    function fill(list) { // as many whole words as fit in a line, from the front of list
      var line = "";
      while (list.length && (!line || (line + " " + list[0]).length <= width)) { line = line ? line + " " + list.shift() : list.shift(); }
      return line;
    }
    var rest = words.slice(), first = fill(rest);
    if (!rest.length) { return first; }
    var second = fill(rest.slice());
    if (second.split(" ").length === rest.length) { return [first, second]; }
    var tail = [], left = rest.slice();
    while (left.length && (tail.concat(left[left.length - 1]).join(" ").length <= width - 2 || !tail.length)) { tail.unshift(left.pop()); }
    return [first, "… " + tail.join(" ")];
  }
  function shortLabel(label, width) { // and a single word longer than a line, cut
    var lines = [].concat(shorten(label, width)).map(function (l) { return l.length > width + 6 ? l.slice(0, width) + "…" : l; });
    return lines.length > 1 ? lines : lines[0];
  }
  // A bar beyond the axis's end (the server's children_cap: one unit at 400 % drew the others as slivers) is
  // drawn to the end and labelled with its real value (children_outliers, in the page's notation); the 100 %
  // line is the target.
  var outliers = {
    id: "unitOutliers",
    beforeDatasetsDraw: function (chart) {
      if (!data.children_percent_any) { return; }
      var x = chart.scales.x, area = chart.chartArea, at = x.getPixelForValue(100), ctx = chart.ctx;
      if (at < area.left || at > area.right) { return; }
      ctx.save(); ctx.strokeStyle = grey; ctx.setLineDash([4, 3]); ctx.beginPath();
      ctx.moveTo(at, area.top); ctx.lineTo(at, area.bottom); ctx.stroke(); ctx.restore();
    },
    afterDatasetsDraw: function (chart) {
      var labels = data.children_outliers || [], ctx = chart.ctx, drawn = [];
      chart.getDatasetMeta(0).data.forEach(function (bar, i) {
        if (!labels[i]) { return; }
        var right = Math.min(bar.x, chart.chartArea.right), y = bar.y;
        ctx.save();
        ctx.font = "bold " + Chart.helpers.toFont(Chart.defaults.font).size + "px " + Chart.defaults.font.family;
        ctx.fillStyle = "#fff"; ctx.textAlign = "right"; ctx.textBaseline = "middle";
        ctx.fillText(labels[i] + " ›", right - 4, y);
        ctx.restore();
        drawn.push({ index: i, text: labels[i], x: right, y: y });
      });
      chart.$outliersDrawn = drawn; // read by the browser tests
    }
  };
  var children = document.getElementById("chart-children");
  function rows(chart, print) {
    // Every name shown (no auto-skip): a row high enough for two lines of the tick font, smaller on paper.
    children.parentNode.style.height = Math.max(print ? 150 : 200, data.children.length * (print ? 26 : 32) + 70) + "px";
    if (chart) { chart.options.scales.y.ticks.font = { size: print ? 10 : 12 }; }
  }
  if (children) {
    var pct = data.children_percent_any;
    var values = pct ? data.children_percent : data.children_admitted;
    var cap = pct && data.children_cap ? data.children_cap : undefined;
    rows(null, printing && printing.matches);
    made.push(new Chart(children, { type: "bar",
      data: { labels: data.children.map(function (n) { return shortLabel(n, 24); }),
        datasets: [{ label: pct ? data.labels.percent : data.labels.admitted, data: values,
          backgroundColor: values.map(function (v, i) { return pct && data.children_outliers && data.children_outliers[i] ? "#145523" : pct && v !== null && v >= 100 ? "#1e7b34" : red; }) }] },
      options: { indexAxis: "y", plugins: { legend: { display: false },
        tooltip: { callbacks: {
          title: function (items) { return items.length ? data.children[items[0].dataIndex] : ""; },
          label: function (c) { var v = c.parsed.x; return v === null ? "–" : fmt.format(v) + (pct ? "%" : ""); } } } },
        scales: { x: { beginAtZero: true, max: cap, suggestedMax: pct ? 100 : undefined,
            // steps that end on the cap (a multiple of 50): an automatic 20 % step crowded "140%" into "150%"
            ticks: { stepSize: cap ? (cap <= 200 ? 25 : cap <= 500 ? 50 : 100) : undefined, callback: function (v) { return fmt.format(v) + (pct ? "%" : ""); } } },
          y: { ticks: { autoSkip: false, font: { size: 12 } } } } },
      plugins: [outliers] }));
  }

  var cats = document.getElementById("chart-categories");
  if (cats) {
    cats.parentNode.style.height = Math.max(260, data.categories.length * 36) + "px"; // every label, in two lines
    made.push(new Chart(cats, { type: "bar",
      data: { labels: data.categories.map(wrap), datasets: [{ label: data.labels.admitted, data: data.category_counts, backgroundColor: gold }] },
      options: { indexAxis: "y", plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return fmt.format(c.parsed.x); } } } },
        scales: { x: { beginAtZero: true, ticks: ticks }, y: { ticks: { autoSkip: false } } } } }));
  }

  // Printing: the print stylesheet gives the charts the page's width (A4), but Chart.js only resizes on a
  // window resize, so a chart drawn for a wide screen came out cut on the right. Resize them when the print
  // media starts and ends (beforeprint/afterprint, and the media query for browsers that print without them).
  // The month-by-month table is folded away (<details>); on paper it is shown, then folded back.
  var folded = document.querySelector("details.months"), wasOpen = null;
  function fit(print) {
    if (folded && print && wasOpen === null) { wasOpen = folded.open; folded.open = true; }
    if (folded && !print && wasOpen !== null) { folded.open = wasOpen; wasOpen = null; }
    made.forEach(function (c) {
      c.options.devicePixelRatio = print ? 2 : undefined; // crisp on paper
      if (c.canvas === children) { rows(c, print); }
      c.resize();
      c.update("none");
    });
  }
  window.addEventListener("beforeprint", function () { fit(true); });
  window.addEventListener("afterprint", function () { fit(false); });
  if (printing && printing.addEventListener) { printing.addEventListener("change", function (e) { fit(e.matches); }); }
})();
