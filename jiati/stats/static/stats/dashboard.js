// Draws the dashboard's charts from the figures the page embeds (#stats-data); each chart has its table beside it.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("stats-data").textContent);
  function draw(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    el.style.height = (el.getAttribute("data-height") || "320") + "px"; // CSSOM, not an inline style attribute (CSP)
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    if (onClick) chart.on("click", onClick);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("chart-funnel", {
    tooltip: { trigger: "item" },
    series: [{ type: "funnel", sort: "none", minSize: "8%", label: { position: "inside", formatter: "{b}: {c}" },
               data: data.funnel }]
  });
  var c = data.children;
  draw("chart-children", {
    tooltip: { trigger: "axis" }, legend: {},
    xAxis: { type: "category", data: c.names }, yAxis: { type: "value", minInterval: 1 },
    series: [{ name: data.labels.under_way, type: "bar", stack: "p", data: c.under_way },
             { name: data.labels.in_service, type: "bar", stack: "p", data: c.in_service }]
  }, function (p) { window.location.search = "?region=" + c.ids[p.dataIndex]; });
  var m = data.months;
  draw("chart-months", {
    tooltip: { trigger: "axis" }, legend: {},
    xAxis: { type: "category", data: m.labels }, yAxis: { type: "value", minInterval: 1 },
    series: [{ name: data.labels.started, type: "bar", data: m.started },
             { name: data.labels.completed, type: "line", data: m.completed }]
  });
  var y = data.completions;
  var cumulative = { name: data.labels.cumulative, type: "line", data: y.cumulative };
  if (y.target !== null) {
    cumulative.markLine = { symbol: "none", data: [{ yAxis: y.target, name: data.labels.target }],
                            label: { formatter: data.labels.target + ": {c}" } };
  }
  draw("chart-completions", {
    tooltip: { trigger: "axis" }, legend: {},
    xAxis: { type: "category", data: y.labels },
    yAxis: { type: "value", minInterval: 1, max: function (v) { return Math.max(v.max, y.target || 0); } },
    series: [{ name: data.labels.completed, type: "bar", data: y.completed }, cumulative]
  });
  var cov = data.coverage;
  draw("chart-coverage", {
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } }, legend: {},
    xAxis: { type: "category", data: cov.names }, yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ name: data.labels.willing_rate, type: "bar", data: cov.willing },
             { name: data.labels.feasible_rate, type: "bar", data: cov.feasible }]
  }, function (p) { window.location.search = "?region=" + cov.ids[p.dataIndex]; });
  // The other apps' charts (petition deadlines, site-check findings): stacked bars, one per child region (a click
  // drills into it) or per month (a click opens the list behind the figure); the table beside holds every link.
  (data.hooked || []).forEach(function (h) {
    draw(h.id, {
      tooltip: { trigger: "axis" }, legend: {},
      xAxis: { type: "category", data: h.names }, yAxis: { type: "value", minInterval: 1 },
      series: h.series.map(function (name, i) {
        var one = { name: name, type: "bar", stack: "s", data: h.values.map(function (row) { return row[i]; }) };
        if (h.colors[i]) one.itemStyle = { color: h.colors[i] };
        return one;
      })
    }, function (p) {
      var drill = h.drill[p.dataIndex];
      window.location.href = drill || h.urls[p.dataIndex][p.seriesIndex];
    });
  });
  // Nothing paid and nothing due: a pie of zeros would draw two equal halves; the table beside it says ¥0.00.
  if (data.money.every(function (d) { return Number(d.value) === 0; })) { return; }
  draw("chart-money", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["40%", "70%"], data: data.money.map(function (d) {
      return { name: d.name, value: Number(d.value) }; }) }]
  });
})();
