// The 规划 page's charts, drawn with the vendored ECharts (a plain script, window.echarts): each
// chart lives in its element and follows its size. Builders take the API's answers and return
// ECharts options; the colours are the staffing pages'.
import { T } from "/static/displays/hallq-live.js";

const C = { blue: "#2f6fd0", green: "#2e9d5b", yellow: "#d9a400", red: "#d6453d", dim: "#8fa3bd", line: "#27405f", text: "#e8eef6" };
const SERIES = ["#2f6fd0", "#2e9d5b", "#b0651d", "#7e57c2", "#00838f", "#c2185b", "#5d7a1f", "#6d4c41"];
const charts = new Map();

// Draws ``option`` in the element ``id`` (shown first: ECharts needs its size), replacing what was there.
// Hide a chart whose figures no longer hold (another day or roster picked).
export function undraw(id) {
  charts.get(id)?.clear();
  document.getElementById(id).hidden = true;
}

export function draw(id, option) {
  const el = document.getElementById(id);
  el.hidden = false;
  let chart = charts.get(id);
  if (!chart) {
    chart = window.echarts.init(el, null, { renderer: "canvas" });
    charts.set(id, chart);
    new ResizeObserver(() => chart.resize()).observe(el);
  }
  chart.setOption({ ...base(), ...option }, { notMerge: true });
  return chart;
}

const base = () => ({
  animation: false,
  textStyle: { color: C.text, fontFamily: "inherit" },
  grid: { left: 44, right: 44, top: 36, bottom: 28 },
  tooltip: { trigger: "axis" },
  legend: { top: 0, textStyle: { color: C.dim }, type: "scroll" },
});
const slotAxis = (slots) => ({ type: "category", data: slots, axisLabel: { color: C.dim }, axisLine: { lineStyle: { color: C.line } } });
const valueAxis = (name, extra = {}) => ({
  type: "value", name, nameTextStyle: { color: C.dim }, axisLabel: { color: C.dim },
  splitLine: { lineStyle: { color: C.line } }, ...extra,
});
const minutes = (s) => (s == null ? null : Math.round(s / 6) / 10);
const percent = (x) => (x == null ? null : Math.round(x * 1000) / 10);

// Forecast per slot stacked by service; the day's arrivals and its eve's forecast over it when it is past.
export function forecastOption(day, names, past) {
  const slots = day.slots.map((s) => s.at);
  const codes = [...new Set(day.slots.flatMap((s) => Object.keys(s.services)))];
  const series = codes.map((code, i) => ({
    name: names[code] || code, type: "bar", stack: "f", itemStyle: { color: SERIES[i % SERIES.length] },
    data: day.slots.map((s) => s.services[code] || 0),
  }));
  if (past) {
    const at = new Map(past.slots.map((s) => [s.at, s]));
    series.push({ name: T.plan_actual, type: "line", symbolSize: 4, itemStyle: { color: C.yellow },
      data: slots.map((s) => at.get(s)?.actual ?? null) });
    series.push({ name: T.plan_forecast_series, type: "line", symbol: "none", lineStyle: { type: "dashed", color: C.text },
      itemStyle: { color: C.text }, data: slots.map((s) => at.get(s)?.forecast ?? null) });
  }
  return { xAxis: slotAxis(slots), yAxis: valueAxis(T.people), series };
}

// What a slot needs: the twin's corrected count when the answer has it, else Erlang C's.
export const needed = (s) => s.checked_windows ?? s.windows;

// Windows needed per slot as bars, red where fewer are rostered; Erlang C's first cut as a dashed
// step line when the bars are the twin's; the rostered windows as a step line.
export function requiredOption(slots, rostered) {
  const checked = slots.some((s) => s.checked_windows != null);
  return {
    xAxis: slotAxis(slots.map((s) => s.at)),
    yAxis: valueAxis(T.windows, { minInterval: 1 }),
    series: [
      { name: T.plan_required_series, type: "bar", itemStyle: { color: C.blue },
        data: slots.map((s, i) => ({ value: needed(s), itemStyle: { color: rostered && rostered[i] < needed(s) ? C.red : C.blue } })) },
      ...(checked ? [{ name: T.plan_erlang_series, type: "line", step: "middle", symbol: "none",
        lineStyle: { color: C.yellow, width: 1.5, type: "dashed" }, itemStyle: { color: C.yellow }, data: slots.map((s) => s.windows) }] : []),
      ...(rostered ? [{ name: T.plan_rostered_series, type: "line", step: "middle", symbol: "none",
        lineStyle: { color: C.green, width: 2 }, itemStyle: { color: C.green }, data: rostered }] : []),
    ],
  };
}

// A simulation: p90 wait per slot as bars (the target as a line), share called within target on the right.
export function simulateOption(answer) {
  const p90 = answer.target?.p90_wait_minutes;
  return {
    xAxis: slotAxis(answer.slots.map((s) => s.slot)),
    yAxis: [valueAxis(T.minutes), valueAxis("%", { min: 0, max: 100, splitLine: { show: false } })],
    series: [
      { name: T.plan_p90_series, type: "bar", itemStyle: { color: C.blue },
        data: answer.slots.map((s) => ({ value: minutes(s.wait_p90_s), itemStyle: { color: p90 != null && s.wait_p90_s / 60 > p90 ? C.red : C.blue } })),
        markLine: p90 == null ? undefined : { symbol: "none", lineStyle: { color: C.yellow }, label: { color: C.yellow }, data: [{ yAxis: p90 }] } },
      { name: T.plan_within_series, type: "line", yAxisIndex: 1, symbolSize: 4, itemStyle: { color: C.green },
        data: answer.slots.map((s) => percent(s.within_share)) },
    ],
  };
}

// Baseline and variations per slot: ``pick`` reads a slot's figure.
export function compareOption(answer, labels, pick, axisName) {
  const slots = answer.baseline.slots.map((s) => s.slot);
  const runs = [answer.baseline, ...answer.variations];
  return {
    xAxis: slotAxis(slots),
    yAxis: valueAxis(axisName),
    series: runs.map((run, i) => ({
      name: labels[i], type: "line", symbolSize: 3, itemStyle: { color: i === 0 ? C.text : SERIES[(i - 1) % SERIES.length] },
      lineStyle: i === 0 ? { width: 3 } : {}, data: run.slots.map(pick),
    })),
  };
}

export { minutes, percent };
