// The 规划 page: a day of a week picked; its forecast per quarter hour (a past day with its
// arrivals and the eve's forecast, MAPE per past day), the windows it needs against the roster's,
// the twin's simulation of a roster, and the what-if builder (planning-whatif.js).
import { T, PAGE, $, fmt, serviceNames } from "/static/displays/hallq-live.js";
import { esc } from "./dashboard-util.js";
import { api, openBoard } from "./pages-auth.js";
import { API, addDays, dayName, hhmm, mondayOf, shortDay } from "./roster-util.js";
import { draw, forecastOption, needed, percent, requiredOption, simulateOption, undraw } from "./planning-charts.js";
import { clearComparison, initWhatIf } from "./planning-whatif.js";
import { S, TODAY, busy, figure, runBody, say } from "./planning-run.js";

const NAMES = serviceNames(PAGE.hall);

// -- the day and its week -----------------------------------------------------------------------

function drawDays() {
  const monday = mondayOf(S.day);
  $("day").value = S.day;
  $("days").innerHTML = Array.from({ length: 7 }, (_, i) => addDays(monday, i)).map((d) =>
    `<button type="button" class="view" data-day="${d}" aria-pressed="${d === S.day}">${esc(dayName(d))} ${shortDay(d)}</button>`).join("");
}
$("days").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-day]");
  if (b) pick(b.dataset.day);
});
$("prev-week").addEventListener("click", () => pick(addDays(mondayOf(S.day), -7)));
$("next-week").addEventListener("click", () => pick(addDays(mondayOf(S.day), 7)));
$("this-week").addEventListener("click", () => pick(TODAY));
$("day").addEventListener("change", () => $("day").value && pick($("day").value));
$("roster-kind").addEventListener("change", () => {
  S.roster = $("roster-kind").value;
  clearRuns();
  loadRostered().then(drawRequired).catch(failed);
});

const failed = (e) => say("plan-status", `${T.error}: ${e.message}`, true);

// A simulation or comparison answers for one day and roster: cleared when either changes, so a
// figure on the page is never another day's.
function clearRuns() {
  S.sim = null;
  $("sim-summary").innerHTML = "";
  undraw("sim-chart");
  say("sim-status", "");
  clearComparison();
}

function pick(day) {
  S.day = day;
  clearRuns();
  say("plan-status", "");
  drawDays();
  load().catch(failed);
}

// -- loading ------------------------------------------------------------------------------------

// Past days of the week (or the week before, for a week to come) for the forecast's accuracy.
function accuracyRange() {
  const monday = mondayOf(S.day);
  const last = addDays(TODAY, -1) < addDays(monday, 6) ? addDays(TODAY, -1) : addDays(monday, 6);
  const first = last < monday ? addDays(last, -6) : monday;
  return [first, last];
}

async function load() {
  const [first, last] = accuracyRange();
  const [forecast, required, accuracy] = await Promise.all([
    api("GET", `${API}/planning/forecast?from=${S.day}&to=${S.day}`),
    api("GET", `${API}/planning/required?from=${S.day}&to=${S.day}&check=1`),
    api("GET", `${API}/planning/accuracy?from=${first}&to=${last}`),
    loadRostered(),
  ]);
  Object.assign(S, { forecast: forecast.days[0], required, accuracy });
  drawForecast();
  drawRequired();
}

// The windows rostered per quarter hour of the day: the published roster in force, or the
// draft covering the day in its stead; a duty counts from its start to its end, less its lunch.
async function loadRostered() {
  const range = await api("GET", `${API}/rosters?from=${S.day}&to=${S.day}`);
  const draft = S.roster === "draft" ? range.drafts.find((r) => r.first <= S.day && S.day <= r.last) : null;
  const id = draft ? draft.id : range.in_force[S.day];
  S.duties = id == null ? [] : (await api("GET", `${API}/rosters/${id}`)).assignments.filter((a) => a.day === S.day);
}

export const rosteredAt = (duties, at) => duties.filter((a) => hhmm(a.start) <= at && at < hhmm(a.end)
  && !(a.lunch_start && hhmm(a.lunch_start) <= at && at < hhmm(a.lunch_end))).length;

// -- the forecast and the windows needed --------------------------------------------------------

function drawForecast() {
  const f = S.forecast;
  const past = S.accuracy.days.find((d) => d.date === S.day);
  $("forecast-total").textContent = f.kind !== "workday" && !f.slots.length ? T.plan_closed : fmt(T.plan_forecast_total, { n: Math.round(f.total) });
  $("day-mape").textContent = past && past.mape != null ? fmt(T.plan_mape, { v: `${percent(past.mape)}%` }) : "";
  draw("forecast-chart", forecastOption(f, NAMES, past));
  const items = S.accuracy.days.map((d) => `<li data-day="${d.date}"${d.date === S.day ? ' class="picked"' : ""}>${shortDay(d.date)} ${esc(dayName(d.date))}
    ${Math.round(d.actual_total)} / ${Math.round(d.forecast_total)} · ${esc(fmt(T.plan_mape, { v: d.mape == null ? "–" : `${percent(d.mape)}%` }))}</li>`);
  $("accuracy").innerHTML = items.length ? items.join("") : `<li class="note">${esc(S.accuracy.note ? (PAGE.lang === "en" ? S.accuracy.note.en : S.accuracy.note.zh) : T.plan_no_accuracy)}</li>`;
}

function drawRequired() {
  if (!S.required) return;
  const t = S.required.target;
  $("target").textContent = fmt(T.plan_target, { share: Math.round(t.share * 100), m: t.called_within_minutes, p90: t.p90_wait_minutes });
  const slots = S.required.days[0]?.slots || [];
  S.rostered = slots.map((s) => rosteredAt(S.duties || [], s.at));
  const gaps = slots.filter((s, i) => S.rostered[i] < needed(s)).length;
  $("gaps").textContent = gaps ? fmt(T.plan_gaps, { n: gaps }) : slots.length ? T.plan_no_gaps : T.plan_closed;
  $("gaps").classList.toggle("bad", gaps > 0);
  S.gaps = gaps;
  draw("required-chart", requiredOption(slots, S.rostered));
}

// -- simulation ---------------------------------------------------------------------------------

async function simulate() {
  const stop = busy("sim-progress", "sim-status", T.plan_running, "simulate");
  try {
    const answer = await api("POST", `${API}/planning/simulate`, runBody());
    S.sim = answer;
    const target = answer.target || {};
    const short = (key, s) => (key === "within" && target.share != null && s.within_share < target.share)
      || (key === "wait_p90" && target.p90_wait_minutes != null && s.wait_p90_s / 60 > target.p90_wait_minutes);
    $("sim-summary").innerHTML = figure(answer.summary, answer.staff_hours).map(([key, label, value]) =>
      `<div data-key="${key}"><dt>${esc(label)}</dt><dd${short(key, answer.summary) ? ' class="bad"' : ""}>${esc(String(value))}</dd></div>`).join("");
    draw("sim-chart", simulateOption(answer));
    say("sim-status", fmt(T.plan_sim_done, { s: Math.round((answer.wall_s || 0) * 10) / 10 }));
  } catch (e) {
    say("sim-status", `${T.error}: ${e.message}`, true);
  } finally {
    stop();
  }
}
$("simulate").addEventListener("click", simulate);

openBoard(async () => {
  drawDays();
  initWhatIf();
  await load();
}, failed);
