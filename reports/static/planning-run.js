// What the 规划 page's panels share: the page's state (the day, the roster, the answers), the
// status lines, a run's body, the spinner while the twin runs, and a run's summary as figures.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { minutes, percent } from "./planning-charts.js";

export const TODAY = PAGE.business_day;
export const S = { day: TODAY, roster: "published", forecast: null, accuracy: null, required: null, rostered: null, sim: null };
window.hallqPlanning = S;

export const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};

export const numberOf = (id, fallback) => {
  const v = Number($(id).value);
  return Number.isFinite(v) && $(id).value !== "" ? v : fallback;
};
export const runBody = () => ({ day: S.day, roster: S.roster, replications: numberOf("replications", 10), seed: numberOf("seed", 1) });

// A spinner and the seconds gone while a run is on; ``stop()`` ends them.
export function busy(spinner, status, text, button) {
  const began = performance.now();
  $(spinner).hidden = false;
  $(button).disabled = true;
  say(status, text);
  const tick = setInterval(() => say(status, `${text} ${Math.round((performance.now() - began) / 1000)} s`), 1000);
  return () => {
    clearInterval(tick);
    $(spinner).hidden = true;
    $(button).disabled = false;
  };
}

export const figure = (summary, staffHours) => [
  ["arrivals", T.plan_arrivals, Math.round(summary.arrivals)],
  ["wait_mean", T.plan_wait_mean, fmt(T.plan_minutes_value, { v: minutes(summary.wait_mean_s) })],
  ["wait_p90", T.plan_wait_p90, fmt(T.plan_minutes_value, { v: minutes(summary.wait_p90_s) })],
  ["within", T.plan_within, summary.within_share_ci
    ? fmt(T.plan_within_ci, { v: percent(summary.within_share), lo: percent(summary.within_share_ci[0]), hi: percent(summary.within_share_ci[1]) })
    : `${percent(summary.within_share)}%`],
  ["waiting_at_close", T.plan_waiting_at_close, Math.round(summary.waiting_at_close * 10) / 10],
  ["utilisation", T.plan_utilisation, `${percent(summary.utilisation)}%`],
  ["staff_hours", T.plan_staff_hours, fmt(T.plan_hours_value, { v: staffHours })],
];

