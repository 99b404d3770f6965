// The 报表 page's charts (the vendored ECharts through planning-charts.js's draw, in its colours):
// arrivals and waits per quarter hour, 满意率 per day, and the ranking as bars, best first.
import { T } from "/static/displays/hallq-live.js";
import { minutes, percent } from "./planning-charts.js";

const C = { blue: "#2f6fd0", green: "#2e9d5b", yellow: "#d9a400", red: "#d6453d", dim: "#8fa3bd", line: "#27405f" };
const axis = (data) => ({ type: "category", data, axisLabel: { color: C.dim }, axisLine: { lineStyle: { color: C.line } } });
const value = (name, extra = {}) => ({
  type: "value", name, nameTextStyle: { color: C.dim }, axisLabel: { color: C.dim },
  splitLine: { lineStyle: { color: C.line } }, ...extra,
});

// Arrivals per quarter hour as bars; mean and p90 wait (minutes) as lines on the right axis.
export function arrivalsOption(rows) {
  return {
    xAxis: axis(rows.map((r) => r.group)),
    yAxis: [value(T.rp_arrivals, { minInterval: 1 }), value(T.minutes, { splitLine: { show: false } })],
    series: [
      { name: T.rp_arrivals, type: "bar", itemStyle: { color: C.blue }, data: rows.map((r) => r.issued) },
      { name: T.rp_wait_mean, type: "line", yAxisIndex: 1, symbolSize: 4, itemStyle: { color: C.green },
        data: rows.map((r) => minutes(r.wait.mean_s)) },
      { name: T.rp_wait_p90, type: "line", yAxisIndex: 1, symbolSize: 4, itemStyle: { color: C.yellow },
        data: rows.map((r) => minutes(r.wait.p90_s)) },
    ],
  };
}

// 满意率 per day as a line (%), the ratings given as bars behind it.
export function satisfactionOption(rows) {
  return {
    xAxis: axis(rows.map((r) => r.group.slice(5))),
    yAxis: [value("%", { min: 0, max: 100 }), value(T.rp_ratings, { minInterval: 1, splitLine: { show: false } })],
    series: [
      { name: T.rp_ratings, type: "bar", yAxisIndex: 1, itemStyle: { color: "#3a4d68" }, data: rows.map((r) => r.ratings.count) },
      { name: T.rp_satisfied, type: "line", symbolSize: 5, itemStyle: { color: C.green }, connectNulls: true,
        data: rows.map((r) => percent(r.ratings.satisfied_share)) },
      { name: T.rp_bad, type: "line", yAxisIndex: 1, symbolSize: 4, itemStyle: { color: C.red }, data: rows.map((r) => r.ratings.bad) },
    ],
  };
}

// The ranked rows (not the ones too few to rank) as horizontal bars, the first on top.
export function rankingOption(answer, label, shown) {
  const rows = answer.rows.filter((r) => r.rank != null).slice(0, 12).reverse();
  return {
    grid: { left: 110, right: 30, top: 10, bottom: 24 },
    legend: { show: false },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: value(""),
    yAxis: { ...axis(rows.map(label)), axisLabel: { color: C.dim, width: 100, overflow: "truncate" } },
    series: [{ type: "bar", itemStyle: { color: C.blue }, data: rows.map((r) => shown(r.value)),
      label: { show: true, position: "right", color: C.dim } }],
  };
}
