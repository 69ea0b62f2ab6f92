/* Monthly volume of a customer (ECharts); the data comes from a JSON block next to the chart. */
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 40, right: 8, top: 16, bottom: 24 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", name: data.unit, nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10 } },
      series: [{ name: data.series, type: "bar", data: data.values, itemStyle: { color: "#2563eb" } }],
      animation: false
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init(root) {
    (root || document).querySelectorAll("[data-purchase-chart]").forEach(function (el) {
      if (!el.getAttribute("data-drawn")) { el.setAttribute("data-drawn", "1"); draw(el); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
