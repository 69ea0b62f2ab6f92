/* A bar chart (ECharts, vendored) for any page: <div data-bar-chart data-source="ID"> reads the JSON
   block #ID: {labels: [...], values: [... or null], unit: "%", max: 100, horizontal: true,
   thresholds: [{value: 90, colour: "#15803d"}, {value: 75, colour: "#b45309"}], colour: "#c8372d",
   minInterval: 1 (counts: no fractional ticks)}.
   A value of null is drawn as no bar (e.g. an item nobody answered). */
(function () {
  "use strict";
  function colourOf(value, data) {
    var thresholds = data.thresholds || [];
    for (var i = 0; i < thresholds.length; i++) {
      if (value >= thresholds[i].value) { return thresholds[i].colour; }
    }
    return data.colour || "#2563eb";
  }
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var horizontal = !!data.horizontal;
    if (horizontal) { el.style.height = Math.max(160, 28 * data.labels.length + 40) + "px"; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    var category = { type: "category", data: data.labels, inverse: horizontal,
      axisLabel: { fontSize: 11, width: horizontal ? 110 : undefined, overflow: "truncate" } };
    var value = { type: "value", max: data.max, minInterval: data.minInterval, axisLabel: { fontSize: 10, formatter: "{value}" + (data.unit || "") } };
    chart.setOption({
      grid: { left: horizontal ? 120 : 40, right: 36, top: 12, bottom: 24 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (data.unit || ""); } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{
        type: "bar",
        data: data.values.map(function (v) { return v === null ? null : { value: v, itemStyle: { color: colourOf(v, data) } }; }),
        label: { show: true, position: horizontal ? "right" : "top", fontSize: 10,
          formatter: function (p) { return p.value + (data.unit || ""); } }
      }],
      animation: false
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init(root) {
    (root || document).querySelectorAll("[data-bar-chart]").forEach(function (el) {
      if (!el.getAttribute("data-drawn")) { el.setAttribute("data-drawn", "1"); draw(el); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
