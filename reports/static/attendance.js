// The 考勤 page: each clerk's days of a range (this week by default) against their published
// duties — first open, last close, minutes late and left early, absent, on leave — with the
// totals per clerk, lateness and absence marked, a CSV download and a print layout; the 现在
// panel beside it is roster-now.js.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { esc } from "./dashboard-util.js";
import { api, openBoard } from "./pages-auth.js";
import { API, HALL, addDays, dayName, hallDate, hhmm, mondayOf } from "./roster-util.js";
import { NOW, initNow } from "./roster-now.js";

const EN = PAGE.lang === "en";
const monday = mondayOf(PAGE.business_day);
const S = { first: monday, last: addDays(monday, 6), rows: [] };
window.hallqAttendance = S;

const say = (text, bad = false) => {
  $("att-status").textContent = text;
  $("att-status").classList.toggle("error", bad);
};

// "HH:MM" of an instant, with its date when it is not the row's day (a window opened the day before).
const when = (iso, day) => (!iso ? "" : hallDate(iso) === day ? hhmm(iso) : `${hallDate(iso).slice(5)} ${hhmm(iso)}`);
const duty = (r) => (r.duty_start ? `${when(r.duty_start, r.day)}–${when(r.duty_end, r.day)}` : T.unrostered);
// A duty not begun yet is not an absence (the server counts a duty day with no open as one).
// The server says whether a duty is still to come, by its own clock.
const upcoming = (r) => Boolean(r.upcoming);
const stateOf = (r) => (r.on_leave ? T.att_on_leave : upcoming(r) ? T.att_upcoming : r.absent ? T.att_absent
  : [r.late_minutes ? T.att_late_tag : "", r.early_minutes ? T.att_early_tag : ""].filter(Boolean).join(T.list_sep) || T.att_ok);
const byClerk = (a, b) => a.name.localeCompare(b.name, "zh-CN") || a.login.localeCompare(b.login) || a.day.localeCompare(b.day);

export function totals(rows) {
  const out = new Map();
  for (const r of rows) {
    if (!out.has(r.login)) {
      out.set(r.login, { login: r.login, name: r.name, days: 0, late: 0, late_minutes: 0, early: 0, early_minutes: 0, absent: 0, leave: 0 });
    }
    const t = out.get(r.login);
    if (r.on_leave) t.leave += 1;
    else if (upcoming(r)) continue;
    else if (r.absent) t.absent += 1;
    else t.days += 1;
    if (r.late_minutes > 0) Object.assign(t, { late: t.late + 1, late_minutes: t.late_minutes + r.late_minutes });
    if (r.early_minutes > 0) Object.assign(t, { early: t.early + 1, early_minutes: t.early_minutes + r.early_minutes });
  }
  return [...out.values()];
}

async function load() {
  const data = await api("GET", `${API}/attendance?from=${S.first}&to=${S.last}`);
  S.rows = data.rows.slice().sort(byClerk);
  draw();
}

function draw() {
  $("att-from").value = S.first;
  $("att-to").value = S.last;
  const rows = S.rows.map((r) => {
    const cls = [r.absent && !upcoming(r) ? "absent" : "", r.on_leave ? "on-leave" : "", upcoming(r) ? "upcoming" : ""].join(" ").trim();
    return `<tr class="${cls}" data-login="${esc(r.login)}" data-day="${r.day}"><td>${esc(r.name)}</td>
      <td class="day">${r.day.slice(5)} ${esc(dayName(r.day))}</td><td>${esc(duty(r))}</td>
      <td class="first">${esc(when(r.first_open, r.day))}</td><td class="last">${esc(when(r.last_close, r.day))}</td>
      <td class="late${r.late_minutes ? " bad" : ""}">${r.late_minutes || ""}</td><td class="early${r.early_minutes ? " bad" : ""}">${r.early_minutes || ""}</td>
      <td class="state">${esc(stateOf(r))}</td></tr>`;
  });
  $("attendance").querySelector("tbody").innerHTML = rows.length ? rows.join("") : `<tr><td colspan="8" class="note">${esc(T.att_none)}</td></tr>`;
  const sums = totals(S.rows).map((t) => `<tr data-login="${esc(t.login)}"><td>${esc(t.name)}</td><td class="days">${t.days}</td>
    <td class="late${t.late ? " bad" : ""}">${t.late}</td><td class="late-minutes${t.late ? " bad" : ""}">${t.late_minutes}</td>
    <td class="early${t.early ? " bad" : ""}">${t.early}</td><td class="early-minutes${t.early ? " bad" : ""}">${t.early_minutes}</td>
    <td class="absent${t.absent ? " bad absent-n" : ""}">${t.absent}</td><td class="leave">${t.leave}</td></tr>`);
  $("totals").querySelector("tbody").innerHTML = sums.join("");
  $("print-title").textContent = fmt(T.att_print_title, { hall: EN ? PAGE.hall.name_en : PAGE.hall.name_zh });
  $("print-period").textContent = fmt(T.print_period, { first: S.first, last: S.last });
}

// -- the range ----------------------------------------------------------------------------------

function show(first, last) {
  if (last < first) return say(T.att_bad_range, true);
  Object.assign(S, { first, last });
  say("");
  load().catch((e) => say(`${T.error}: ${e.message}`, true));
}
const week = (n) => {
  const m = addDays(mondayOf(S.first), 7 * n);
  show(m, addDays(m, 6));
};
$("prev-week").addEventListener("click", () => week(-1));
$("next-week").addEventListener("click", () => week(1));
$("this-week").addEventListener("click", () => show(monday, addDays(monday, 6)));
$("show").addEventListener("click", () => $("att-from").value && $("att-to").value && show($("att-from").value, $("att-to").value));

// -- CSV and print ------------------------------------------------------------------------------

const cell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));

export function csvText() {
  const head = [T.login_name, T.name, T.att_day, T.att_duty, T.att_first_open, T.att_last_close, T.att_late, T.att_early, T.status];
  const lines = S.rows.map((r) => [r.login, r.name, r.day, duty(r),
    when(r.first_open, r.day), when(r.last_close, r.day), r.late_minutes, r.early_minutes, stateOf(r)]);
  // With a BOM, so a spreadsheet opens the Chinese as UTF-8.
  return "\ufeff" + [head, ...lines].map((l) => l.map(cell).join(",")).join("\r\n") + "\r\n";
}

$("csv").addEventListener("click", () => {
  const url = URL.createObjectURL(new Blob([csvText()], { type: "text/csv;charset=utf-8" }));
  const a = Object.assign(document.createElement("a"), { href: url, download: `attendance-${HALL}-${S.first}-${S.last}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});
$("print").addEventListener("click", () => window.print());

openBoard(
  async () => {
    await initNow(); // first: the now panel and its clock
    await load();
  },
  (e) => say(`${T.error}: ${e.message}`, true),
);
