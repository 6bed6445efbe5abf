// Dashboard charts: each [data-chart] element names a <script type="application/json"> with
// {type, title, labels, values}; ECharts is served from the npm package, no CDN and no inline script.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  var palette = ["#b71c1c", "#ef6c00", "#f9a825", "#2e7d32", "#1565c0", "#6a1b9a", "#00838f", "#5d4037"];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "svg" });
    var option = data.type === "pie" ? {
      color: palette, tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      series: [{ type: "pie", radius: ["35%", "65%"], label: { formatter: "{b}\n{c}" },
                 data: data.labels.map(function (label, i) { return { name: label, value: data.values[i] }; }) }]
    } : {
      color: palette, tooltip: { trigger: "axis" }, grid: { left: 40, right: 10, top: 10, bottom: 40 },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.values, label: { show: true, position: "top" } }]
    };
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
