/* Console report: draws the charts with Chart.js (served by the gateway from node_modules) from the
   JSON the server embedded; the tables beside them hold the same numbers for screen readers. */
(function () {
  "use strict";
  var node = document.getElementById("report-data");
  if (!node || !window.Chart) return;
  var d = JSON.parse(node.textContent);
  var pct = function (v) { return v === null || v === undefined ? "–" : String(v).replace(".", ",") + " %"; };
  var base = { responsive: true, animation: false, locale: "sl-SI", plugins: { legend: { display: true } } };
  function draw(id, config) {
    var el = document.getElementById(id);
    if (el) new window.Chart(el, config);
  }
  draw("chart-conversations", { type: "bar", options: base,
    data: { labels: d.days, datasets: [{ label: "Pogovori", data: d.conversations, backgroundColor: "#00594f" }] } });
  draw("chart-rates", { type: "line",
    options: Object.assign({}, base, { spanGaps: true, scales: { y: { min: 0, ticks: { callback: pct } } } }),
    data: { labels: d.days, datasets: [
      { label: "Delež nerazumljenih (%)", data: d.fallback_rate, borderColor: "#b3261e" },
      { label: "Delež predaj (%)", data: d.handoff_rate, borderColor: "#f2a900" }] } });
  draw("chart-wait", { type: "bar", options: base,
    data: { labels: d.days, datasets: [{ label: "Mediana čakanja (min)", data: d.wait_minutes, backgroundColor: "#5b6a73" }] } });
  draw("chart-satisfaction", { type: "bar", options: base,
    data: { labels: ["1", "2", "3", "4", "5"], datasets: [{ label: "Število ocen", data: d.satisfaction, backgroundColor: "#00594f" }] } });
  draw("chart-topics", { type: "bar",
    options: Object.assign({}, base, { indexAxis: "y", scales: { x: { min: 0, max: 100, ticks: { callback: pct } } } }),
    data: { labels: d.topics, datasets: [{ label: "Delež koristnih (%)", data: d.helpful_share, backgroundColor: "#00594f" }] } });
  document.documentElement.setAttribute("data-charts", String(Object.keys(window.Chart.instances || {}).length));
})();
