// The 报表 page: a period (a day, the week, the month or a range of one's own, stepped back and
// forth), its figures as tiles, arrivals and waits per quarter hour, 满意率 per day, a table by
// service, window or clerk, the ranking against the previous period, the follow-ups and
// attendance, and the exports of the same period. Everything comes from the report APIs.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { api, openBoard } from "./pages-auth.js";
import { draw, minutes, percent } from "./planning-charts.js";
import { arrivalsOption, rankingOption, satisfactionOption } from "./reports-charts.js";

const slug = PAGE.hall.slug;
const base = `/api/halls/${slug}/reports`;
const en = PAGE.lang === "en";
const lang = en ? "&lang=en" : "";
const NAMES = PAGE.names;
const S = { kind: "month", from: null, to: null, by: "service" };
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// -- dates as ISO strings, counted in UTC so no zone moves a day ---------------------------------
const d = (iso) => new Date(`${iso}T00:00:00Z`);
const iso = (date) => date.toISOString().slice(0, 10);
const add = (day, n) => { const x = d(day); x.setUTCDate(x.getUTCDate() + n); return iso(x); };
const monday = (day) => add(day, -((d(day).getUTCDay() + 6) % 7));
const monthStart = (day) => `${day.slice(0, 8)}01`;
const monthEnd = (day) => { const x = d(monthStart(day)); x.setUTCMonth(x.getUTCMonth() + 1); x.setUTCDate(0); return iso(x); };
const span = () => Math.round((d(S.to) - d(S.from)) / 86400000) + 1;

function setPeriod(kind, day) {
  S.kind = kind;
  if (kind === "day") [S.from, S.to] = [day, day];
  else if (kind === "week") [S.from, S.to] = [monday(day), add(monday(day), 6)];
  else if (kind === "month") [S.from, S.to] = [monthStart(day), monthEnd(day)];
}

function step(n) {
  if (S.kind === "month") {
    const x = d(S.from);
    x.setUTCMonth(x.getUTCMonth() + n);
    setPeriod("month", iso(x));
  } else if (S.kind === "range") {
    const len = span();
    [S.from, S.to] = [add(S.from, n * len), add(S.to, n * len)];
  } else {
    setPeriod(S.kind, add(S.from, n * (S.kind === "week" ? 7 : 1)));
  }
  load();
}

// -- figures ---------------------------------------------------------------------------------------
const pct = (x) => (x == null ? "—" : `${percent(x)}%`);
const mins = (s) => (s == null ? "—" : `${minutes(s)} ${T.minutes}`);
const name = (of, group) => {
  if (group === "") return T.rp_none_group;
  return NAMES[of]?.[group] ?? group;
};
const measureShown = (m, v) => {
  if (v == null) return "—";
  if (m.unit === "share") return pct(v);
  if (m.unit === "seconds") return mins(v);
  if (m.unit === "score") return v.toFixed(2);
  return String(v);
};
const measureNumber = (m) => (v) => (v == null ? null : m.unit === "share" ? percent(v) : m.unit === "seconds" ? minutes(v) : v);

function tile(key, value, sub = "", tone = "") {
  const el = document.querySelector(`[data-tile="${key}"]`);
  el.querySelector(".value").textContent = value;
  el.querySelector(".sub").textContent = sub;
  el.dataset.tone = tone;
}

function tiles(t, sup) {
  tile("issued", String(t.issued), `${T.rp_no_show} ${t.no_show} · ${T.rp_cancelled} ${t.cancelled}`);
  tile("served", String(t.served), `${T.rp_transferred} ${t.transferred}`);
  const share = t.within_target.share;
  tile("within", pct(share), `≤ ${t.within_target.minutes} ${T.minutes}`, share == null ? "" : share >= 0.9 ? "good" : share >= 0.75 ? "warn" : "bad");
  tile("wait_p90", mins(t.wait.p90_s), `${T.rp_wait_mean} ${mins(t.wait.mean_s)}`);
  const sat = t.ratings.satisfied_share;
  tile("satisfied", pct(sat), `${T.rp_ratings} ${t.ratings.count}`, sat == null ? "" : sat >= 0.95 ? "good" : sat >= 0.85 ? "warn" : "bad");
  tile("bad", String(t.ratings.bad), "", t.ratings.bad ? "bad" : "good");
  const f = sup.follow_ups;
  tile("follow_ups", pct(f.on_time_share), `${f.done_on_time}/${f.done + f.overdue} · ${T.rp_cases_overdue} ${f.overdue}`,
    f.overdue ? "bad" : f.on_time_share == null ? "" : "good");
  tile("noon", String(t.noon.served), t.noon.served ? fmt(T.rp_noon_held, { n: t.noon.served }) : T.rp_noon_none,
    t.noon.served ? "good" : "warn");
}

function groupTable(answer) {
  const body = $("groups").querySelector("tbody");
  body.innerHTML = answer.rows.length ? "" : `<tr><td colspan="9" class="note">${esc($("groups").dataset.none)}</td></tr>`;
  for (const r of answer.rows) {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td class="name">${esc(name(S.by, r.group))}</td><td>${r.issued}</td><td>${r.served}</td>
      <td>${mins(r.wait.mean_s)}</td><td>${mins(r.wait.p90_s)}</td><td>${pct(r.within_target.share)}</td>
      <td>${mins(r.service_time.mean_s)}</td><td>${pct(r.ratings.satisfied_share)}</td><td>${r.ratings.bad}</td>`;
    body.append(tr);
  }
}

function change(r, m) {
  if (r.change == null || r.change === 0) return `<td class="change">${r.previous_value == null ? "" : "="}</td>`;
  const up = r.change > 0;
  const shown = m.unit === "share" ? `${Math.abs(percent(r.change))}%` : measureShown({ ...m, unit: m.unit }, Math.abs(r.change));
  const moved = r.rank_change ? ` (${r.rank_change > 0 ? "+" : ""}${r.rank_change})` : "";
  return `<td class="change ${r.improved ? "better" : "worse"}">${up ? "▲" : "▼"} ${esc(shown)}${esc(moved)}</td>`;
}

function rankingTable(answer) {
  const m = answer.measure;
  const body = $("rankings").querySelector("tbody");
  body.innerHTML = answer.rows.length ? "" : `<tr><td colspan="5" class="note">${esc($("rankings").dataset.none)}</td></tr>`;
  for (const r of answer.rows) {
    const tr = document.createElement("tr");
    tr.className = r.too_few ? "too-few" : "";
    const rank = r.rank == null ? esc($("rankings").dataset.tooFew) : r.rank;
    const prev = r.previous_value == null ? "—" : `${measureShown(m, r.previous_value)}${r.previous_rank ? ` (#${r.previous_rank})` : ""}`;
    tr.innerHTML = `<td>${rank}</td><td class="name">${esc(en ? r.name_en : r.name_zh)}</td>
      <td>${esc(measureShown(m, r.value))}</td><td>${esc(prev)}</td>${change(r, m)}`;
    body.append(tr);
  }
  draw("ranking-chart", rankingOption(answer, (r) => (en ? r.name_en : r.name_zh), measureNumber(m)));
}

function supervision(sup) {
  const f = sup.follow_ups;
  $("follow-up-line").textContent = [
    `${T.rp_cases_opened} ${f.opened}`, `${T.rp_cases_done} ${f.done}`, `${T.rp_cases_on_time} ${f.done_on_time}`,
    `${T.rp_cases_late} ${f.done_late}`, `${T.rp_cases_overdue} ${f.overdue}`, `${T.rp_cases_pending} ${f.pending}`,
    `${T.rp_on_time_share} ${pct(f.on_time_share)}`,
  ].join(" · ");
  const body = $("attendance").querySelector("tbody");
  const rows = sup.attendance.clerks;
  body.innerHTML = rows.length ? "" : `<tr><td colspan="8" class="note">${esc($("attendance").dataset.none)}</td></tr>`;
  for (const c of rows) {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td class="name">${esc(c.name)}</td><td>${c.duty_days}</td><td>${c.late_days}</td><td>${c.late_minutes}</td>
      <td>${c.early_days}</td><td>${c.early_minutes}</td><td class="${c.absent_days ? "worse" : ""}">${c.absent_days}</td><td>${c.leave_days}</td>`;
    body.append(tr);
  }
}

// -- loading ---------------------------------------------------------------------------------------
const range = () => `from=${S.from}&to=${S.to}`;
function rankingQuery() {
  const period = S.kind === "week" || S.kind === "month" ? `period=${S.kind}&from=${S.from}` : `period=range&${range()}`;
  return `${base}/rankings?${period}&of=${$("rank-of").value}&measure=${$("rank-measure").value}`;
}

function exports() {
  $("export-xlsx").href = `/dashboard/${slug}/reports.xlsx?${range()}${lang}`;
  $("export-csv").href = `/dashboard/${slug}/reports/tickets.csv?${range()}${lang}`;
  $("print").href = S.kind === "month"
    ? `/dashboard/${slug}/reports/print?period=month&from=${S.from}${lang}`
    : `/dashboard/${slug}/reports/print?period=range&${range()}${lang}`;
}

function showPeriod() {
  $("from").value = S.from;
  $("to").value = S.to;
  for (const b of $("period-kind").querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.kind === S.kind));
  for (const b of $("group-by").querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.by === S.by));
  exports();
}

let loading = 0;
async function load() {
  const mine = ++loading;
  showPeriod();
  $("rp-status").textContent = "";
  $("rp-status").classList.remove("error");
  try {
    const [quarter, days, groups, ranks, sup] = await Promise.all([
      api("GET", `${base}/summary?${range()}&by=quarter`),
      api("GET", `${base}/summary?${range()}&by=day`),
      api("GET", `${base}/summary?${range()}&by=${S.by}`),
      api("GET", rankingQuery()),
      api("GET", `${base}/supervision?${range()}`),
    ]);
    if (mine !== loading) return; // another period was picked meanwhile
    tiles(quarter.totals, sup);
    draw("arrivals-chart", arrivalsOption(quarter.rows));
    draw("satisfaction-chart", satisfactionOption(days.rows));
    groupTable(groups);
    rankingTable(ranks);
    supervision(sup);
    document.body.dataset.period = `${S.kind}:${S.from}:${S.to}:${S.by}`;
  } catch (e) {
    if (mine !== loading) return;
    $("rp-status").textContent = e.message;
    $("rp-status").classList.add("error");
  }
}

async function reloadGroups() {
  showPeriod();
  groupTable(await api("GET", `${base}/summary?${range()}&by=${S.by}`));
  document.body.dataset.period = `${S.kind}:${S.from}:${S.to}:${S.by}`;
}

async function reloadRanking() {
  rankingTable(await api("GET", rankingQuery()));
  document.body.dataset.ranking = `${$("rank-of").value}:${$("rank-measure").value}`;
}

$("period-kind").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-kind]");
  if (!b) return;
  if (b.dataset.kind === "range") S.kind = "range";
  else setPeriod(b.dataset.kind, S.kind === "range" ? S.to : S.from);
  load();
});
$("group-by").addEventListener("click", (ev) => {
  const b = ev.target.closest("button[data-by]");
  if (!b) return;
  S.by = b.dataset.by;
  reloadGroups().catch((e) => { $("rp-status").textContent = e.message; });
});
$("prev").addEventListener("click", () => step(-1));
$("next").addEventListener("click", () => step(1));
for (const id of ["from", "to"]) {
  $(id).addEventListener("change", () => {
    if (!$("from").value || !$("to").value) return;
    S.kind = "range";
    [S.from, S.to] = [$("from").value, $("to").value];
    load();
  });
}
for (const id of ["rank-of", "rank-measure"]) {
  $(id).addEventListener("change", () => reloadRanking().catch((e) => { $("rp-status").textContent = e.message; }));
}

// The ranking opens on what the hall is judged on (its [hall.rankings]); any other may be picked.
if (PAGE.rankings) {
  $("rank-of").value = PAGE.rankings.of[0];
  $("rank-measure").value = PAGE.rankings.measures[0];
}
setPeriod("month", PAGE.business_day);
openBoard(load, (e) => {
  $("rp-status").textContent = e.message;
  $("rp-status").classList.add("error");
});
