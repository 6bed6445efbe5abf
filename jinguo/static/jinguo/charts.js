// Dashboard charts: each [data-chart] element names a <script type="application/json"> with
// {type, title, labels, values}; ECharts is served from the npm package, no CDN and no inline script.
// Every label stays inside the card on a PC and on a phone: the grid contains its axis labels, pies put long
// labels in a wrapping legend on narrow cards, and each chart follows its card's size.
(function () {
  "use strict";
  var palette = ["#b71c1c", "#ef6c00", "#f9a825", "#2e7d32", "#1565c0", "#6a1b9a", "#00838f", "#5d4037"];

  function pieOption(data, width) {
    var narrow = width < 420;
    var total = data.values.reduce(function (a, b) { return a + b; }, 0);
    return {
      color: palette,
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）", confine: true },
      legend: narrow ? { type: "plain", bottom: 0, left: "center", itemWidth: 12, itemHeight: 10, itemGap: 8,
                         textStyle: { fontSize: 11 } } : { show: false },
      series: [{
        type: "pie",
        radius: narrow ? ["30%", "55%"] : ["32%", "58%"],
        center: ["50%", narrow ? "40%" : "50%"],
        avoidLabelOverlap: true,
        minShowLabelAngle: 4,
        label: narrow
          ? { show: true, position: "inside", formatter: function (p) { return p.percent >= 8 ? p.value : ""; },
              color: "#fff", fontSize: 11 }
          : { show: true, formatter: "{b}\n{c}", fontSize: 11, overflow: "break", width: 80 },
        labelLine: { show: !narrow, length: 8, length2: 6 },
        labelLayout: { hideOverlap: true },
        data: data.labels.map(function (label, i) { return { name: label, value: data.values[i] }; })
      }],
      title: total ? undefined : { text: "本期无数据", left: "center", top: "middle", textStyle: { fontSize: 13 } }
    };
  }

  function barOption(data, width) {
    var many = data.labels.length;
    var crowded = many * 38 > width;  // not enough room for every label upright
    return {
      color: palette,
      tooltip: { trigger: "axis", confine: true },
      grid: { left: 8, right: 12, top: 24, bottom: 8, containLabel: true },
      xAxis: {
        type: "category", data: data.labels,
        axisLabel: { interval: 0, rotate: crowded ? 45 : 0, fontSize: 11, hideOverlap: false,
                     formatter: function (value) { return value.length > 6 ? value.slice(0, 6) + "…" : value; } }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.values, barMaxWidth: 36,
                 label: { show: many <= 16, position: "top", fontSize: 11,
                          formatter: function (p) { return p.value ? p.value : ""; } } }]
    };
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    var lastWidth = 0;
    function render() {
      var width = element.clientWidth;
      if (!width) return;
      if (Math.abs(width - lastWidth) < 2) { chart.resize(); return; }
      lastWidth = width;
      chart.setOption(data.type === "pie" ? pieOption(data, width) : barOption(data, width), true);
      chart.resize();
    }
    render();
    if (window.ResizeObserver) new ResizeObserver(render).observe(element);
    else window.addEventListener("resize", render);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
