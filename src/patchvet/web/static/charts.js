// patchvet dashboard: draws each <figure data-chart> with the vendored uPlot 1.6.32 (MIT, see
// uPlot.LICENSE), in the page's own colours, redrawn when the system switches light and dark.
// The server already put an SVG chart in each figure; it stays where this script cannot run.
(function () {
  "use strict";
  var COLOUR = { flag: "--flag", hold: "--hold", reject: "--reject", agent: "--accent",
                 threshold: "--reject", bar: "--accent" };
  var drawn = [];
  var HALF_WEEK = 3.5 * 86400;

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function percent(value) {
    return value == null ? "–" : Math.round(value * 100) + "%";
  }

  function draw() {
    drawn.forEach(function (plot) { plot.destroy(); });
    drawn = [];
    var muted = css("--muted");
    var line = css("--line");
    document.querySelectorAll("figure[data-chart]").forEach(function (figure) {
      var spec = JSON.parse(figure.getAttribute("data-chart"));
      var holder = figure.querySelector(".plot");
      var bars = spec.kind === "bars";
      var series = [{ label: "week of", value: function (u, v) {
        return v == null ? "" : new Date(v * 1000).toISOString().slice(0, 10);
      } }];
      spec.series.forEach(function (item) {
        var colour = css(COLOUR[item.css] || "--accent");
        series.push({
          label: item.name, stroke: colour, width: bars ? 1 : 2,
          fill: bars ? colour : undefined,
          dash: item.css === "threshold" ? [6, 4] : undefined,
          points: { show: !bars && spec.labels.length < 40 },
          paths: bars ? uPlot.paths.bars({ size: [0.8, 48] }) : undefined,
          value: bars ? function (u, v) { return v == null ? "–" : String(v); }
                      : function (u, v) { return percent(v); },
        });
      });
      var axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line } };
      var yAxis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line },
                    values: bars ? undefined : function (u, values) { return values.map(percent); } };
      var options = {
        width: Math.max(holder.clientWidth, 320), height: 220, series: series,
        axes: [axis, yAxis],
        scales: { x: { time: true, range: function (u, min, max) {
                    return [min - HALF_WEEK, max + HALF_WEEK]; } },
                  y: bars ? { range: function (u, min, max) { return [0, Math.max(max, 1)]; } }
                          : { range: [0, 1] } },
      };
      var data = [spec.labels.map(function (day) { return Date.parse(day + "T00:00:00Z") / 1000; })]
        .concat(spec.series.map(function (item) { return item.values; }));
      holder.textContent = "";
      drawn.push(new uPlot(options, data, holder));
      figure.classList.add("drawn");
    });
  }

  draw();
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", draw);
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(draw, 150);
  });
})();
