// The 排班 page: the week grid (staff × 7 days) of the published roster or of the draft, editing
// a cell into the draft, publishing it, printing and exporting; the side panels (leave, solver,
// A/B posts) and the noon coverage are in roster-panels.js.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { esc } from "./dashboard-util.js";
import { api, openBoard } from "./pages-auth.js";
import {
  API, HALL, addDays, bodyDuty, dayName, daysBetween, hhmm, leaveWord, mondayOf, monthOf, plusMinutes, shiftColour,
  shortDay, span, weekOf,
} from "./roster-util.js";
import { drawLeave, drawNoon, drawPosts, initPanels } from "./roster-panels.js";

const EN = PAGE.lang === "en";
const S = {
  day: PAGE.business_day, // the picked date; the week holding it shows
  monday: mondayOf(PAGE.business_day),
  draft: false, // show the drafts where they cover a day
  staff: [], shifts: [], posts: [],
  grid: null, range: null, rosters: new Map(), leave: [], calendar: [],
  cell: null, // {login, day} being edited
};
window.hallqRoster = S;

// -- reading ----------------------------------------------------------------------------------

async function loadStatic() {
  const [staff, shifts, posts] = await Promise.all([
    api("GET", `${API}/staff`), api("GET", `${API}/shifts`), api("GET", `${API}/posts`),
  ]);
  S.staff = staff.staff;
  S.shifts = shifts.shifts;
  S.posts = posts.posts;
}

// Every roster with its duties that says who works on some day of [first, last]: the published
// versions in force, and the drafts overlapping it.
async function rostersOf(first, last) {
  const range = await api("GET", `${API}/rosters?from=${first}&to=${last}`);
  const ids = new Set([...Object.values(range.in_force), ...range.drafts.map((r) => r.id)]);
  const full = await Promise.all([...ids].map((id) => api("GET", `${API}/rosters/${id}`)));
  return { range, rosters: new Map(full.map((r) => [r.id, r])) };
}

const covering = (range, day) => range.drafts.find((r) => r.first <= day && day <= r.last);

// The duties of ``day`` as shown: the draft's where one covers it (in draft view), else the published.
function dutiesOn(day, data = S, draft = S.draft) {
  const d = draft ? covering(data.range, day) : null;
  const id = d ? d.id : data.range.in_force[day];
  const roster = id == null ? null : data.rosters.get(id);
  return roster ? roster.assignments.filter((a) => a.day === day) : [];
}

export async function load() {
  const first = S.monday, last = addDays(first, 6);
  const [grid, found, leave, calendar] = await Promise.all([
    api("GET", `${API}/rosters/week?day=${first}${S.draft ? "&draft=1" : ""}`),
    rostersOf(first, last),
    api("GET", `${API}/leave?from=${first}&to=${last}`),
    api("GET", `${API}/calendar?from=${first}&to=${last}`),
  ]);
  Object.assign(S, { grid, range: found.range, rosters: found.rosters, leave: leave.leave, calendar: calendar.days });
  draw();
}

// -- drawing ----------------------------------------------------------------------------------

const staffName = (login) => S.staff.find((m) => m.login === login)?.name || login;

function dayHead(day) {
  const c = S.calendar.find((x) => x.day === day);
  const off = c && !c.is_workday;
  let tag = "";
  if (c && c.name) tag = c.name;
  else if (c && (c.kind === "holiday" || c.kind === "adjusted_workday")) tag = T[`day_${c.kind}`];
  const cls = ["day", off ? "off" : "", c && c.beyond_data ? "guessed" : ""].join(" ");
  return `<th class="${cls}" data-day="${day}"><span class="d">${shortDay(day)}</span> <span class="wd">${esc(dayName(day))}</span>${
    tag ? `<span class="tag">${esc(tag)}</span>` : ""}</th>`;
}

function dutyHtml(a) {
  const post = a.post ? esc(a.post) : `<i>${esc(T.floater)}</i>`;
  const lunch = a.lunch_start ? `<small class="lunch">${esc(T.lunch)} ${esc(span(a.lunch_start, a.lunch_end))}</small>` : "";
  const pin = a.pinned ? `<span class="pin" title="${esc(T.pinned)}">${esc(T.pin_mark)}</span>` : "";
  const shift = S.shifts.find((s) => s.code === a.shift);
  const title = shift ? `${EN ? shift.name_en : shift.name_zh} ${span(a.start, a.end)}` : a.shift;
  return `<div class="duty" data-start="${esc(a.start)}" style="--c:${shiftColour(S.shifts, a.shift)}" title="${esc(title)}">
    <b class="code">${esc(a.shift)}</b> <span class="post">${post}</span>${pin}${lunch}</div>`;
}

function cellHtml(row, cell) {
  const duties = dutiesOn(cell.day).filter((a) => a.login === row.login);
  const away = cell.leave.map((k) => `<div class="away away-${esc(k)}">${esc(leaveWord(k))}</div>`).join("");
  const picked = S.cell && S.cell.login === row.login && S.cell.day === cell.day ? " picked" : "";
  return `<td class="cell${picked}" data-login="${esc(row.login)}" data-day="${cell.day}" tabindex="0">${duties.map(dutyHtml).join("")}${away}</td>`;
}

function draw() {
  const days = weekOf(S.monday);
  $("pick-date").value = S.day;
  document.querySelectorAll(".view").forEach((b) => b.setAttribute("aria-pressed", String((b.dataset.view === "draft") === S.draft)));
  const head = `<thead><tr><th class="who-col">${esc(T.staff_col)}</th>${days.map(dayHead).join("")}</tr></thead>`;
  const rows = S.grid.rows.map((row) => `<tr data-login="${esc(row.login)}"><th class="who-col">${esc(row.name)}${
    row.active ? "" : ` <small class="inactive">${esc(T.inactive)}</small>`}</th>${row.cells.map((c) => cellHtml(row, c)).join("")}</tr>`);
  $("week").innerHTML = `${head}<tbody>${rows.join("")}</tbody>`;
  const drafts = S.range.drafts;
  const note = S.draft
    ? (drafts.length ? drafts.map((r) => fmt(T.draft_range, r)).join("；") : T.no_draft)
    : (Object.keys(S.range.in_force).length ? T.published_range : T.no_published);
  $("roster-state").textContent = note;
  $("roster-state").classList.toggle("is-draft", S.draft);
  const guessed = S.calendar.filter((c) => c.beyond_data).map((c) => c.day);
  $("beyond").hidden = !guessed.length;
  $("beyond").textContent = guessed.length ? fmt(T.beyond_data, { days: guessed.join(T.list_sep) }) : "";
  $("publish").disabled = !drafts.length;
  $("export").href = `/dashboard/${HALL}/roster.xlsx?from=${days[0]}&to=${days[6]}${S.draft ? "&draft=1" : ""}${EN ? "&lang=en" : ""}`;
  $("print-title").textContent = fmt(T.print_title, { hall: EN ? PAGE.hall.name_en : PAGE.hall.name_zh });
  $("print-period").textContent = fmt(T.print_period, { first: days[0], last: days[6] });
  drawNoon(S);
  drawLeave(S);
  drawPosts(S);
}

// -- editing a cell into the draft --------------------------------------------------------------

// ``start``: which duty of the day, when the clerk has several (a click on one of them).
function openCell(login, day, start) {
  // What a save changes is the draft: a day it covers is edited as the draft has it.
  const mine = dutiesOn(day, S, true).filter((a) => a.login === login);
  const duty = mine.find((a) => a.start === start) || mine[0] || null;
  S.cell = { login, day, duty };
  document.querySelectorAll("#week td.picked").forEach((td) => td.classList.remove("picked"));
  document.querySelector(`#week td[data-login="${CSS.escape(login)}"][data-day="${day}"]`)?.classList.add("picked");
  $("cell-title").textContent = fmt(T.edit_of, { name: staffName(login), day: `${day} ${dayName(day)}` });
  $("cell-shift").innerHTML = `<option value="">${esc(T.rest)}</option>` + S.shifts
    .map((s) => `<option value="${esc(s.code)}">${esc(s.code)} ${esc(EN ? s.name_en : s.name_zh)} ${s.start}–${s.end}</option>`).join("");
  $("cell-post").innerHTML = `<option value="">${esc(T.floater)}</option>` + S.posts
    .map((p) => `<option value="${esc(p.code)}">${esc(p.code)}${p.window != null ? ` · ${esc(fmt(T.window_n, { n: p.window }))}` : ""}</option>`).join("");
  $("cell-shift").value = duty ? duty.shift : "";
  $("cell-post").value = duty && duty.post ? duty.post : "";
  $("cell-pin").checked = Boolean(duty && duty.pinned);
  if (duty && duty.lunch_start) {
    $("cell-lunch-start").value = hhmm(duty.lunch_start);
    $("cell-lunch-end").value = hhmm(duty.lunch_end);
  } else defaultLunch();
  $("cell-add").hidden = !duty;
  $("cell-status").textContent = "";
  $("edit-hint").hidden = true;
  $("cell-form").hidden = false;
  showTab("edit");
}

// A shift's lunch break where the template would place it first.
function defaultLunch() {
  const t = S.shifts.find((s) => s.code === $("cell-shift").value);
  const start = t && t.lunch_minutes ? t.lunch_earliest || t.start : "";
  $("cell-lunch-start").value = start;
  $("cell-lunch-end").value = start ? plusMinutes(start, t.lunch_minutes) : "";
}

// The draft to save when the days of this week change: the drafts overlapping the week (all of
// their days: saving replaces them whole), the week's published duties on the days no draft
// covers, over the union of their periods.
function draftBase() {
  const days = weekOf(S.monday);
  const drafts = S.range.drafts;
  const first = [days[0], ...drafts.map((r) => r.first)].sort()[0];
  const last = [days[6], ...drafts.map((r) => r.last)].sort().at(-1);
  const assignments = drafts.flatMap((r) => S.rosters.get(r.id).assignments.map(bodyDuty));
  for (const day of days.filter((d) => !covering(S.range, d))) assignments.push(...dutiesOn(day, S, false).map(bodyDuty));
  return { first, last, assignments };
}

export async function saveDraft(change) {
  const draft = draftBase();
  draft.assignments = change(draft.assignments);
  await api("POST", `${API}/rosters`, draft);
  S.draft = true;
  await load();
}

$("cell-shift").addEventListener("change", defaultLunch);
// Another duty the same day (a split shift): the form starts empty and the saved duties stay.
$("cell-add").addEventListener("click", () => {
  S.cell.duty = null;
  $("cell-shift").value = "";
  $("cell-post").value = "";
  $("cell-pin").checked = false;
  defaultLunch();
  $("cell-add").hidden = true;
  $("cell-status").textContent = "";
});
$("cell-cancel").addEventListener("click", () => {
  S.cell = null;
  $("cell-form").hidden = true;
  $("edit-hint").hidden = false;
  document.querySelectorAll("#week td.picked").forEach((td) => td.classList.remove("picked"));
});
$("cell-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const { login, day, duty: before } = S.cell;
  const t = S.shifts.find((s) => s.code === $("cell-shift").value);
  let duty = null;
  if (t) {
    duty = { day, login, shift: t.code, post: $("cell-post").value || null, start: `${day}T${t.start}`, end: `${day}T${t.end}`, pinned: $("cell-pin").checked };
    const ls = $("cell-lunch-start").value, le = $("cell-lunch-end").value;
    if (ls && le) Object.assign(duty, { lunch_start: `${day}T${ls}`, lunch_end: `${day}T${le}` });
  }
  try {
    // The duty edited gives way to the new one; the clerk's other duties that day stay.
    const edited = (a) => before && a.login === login && a.day === day && a.start === before.start;
    await saveDraft((list) => [...list.filter((a) => !edited(a)), ...(duty ? [duty] : [])]);
    // The saved duty is the one a second save edits (its start now in the server's UTC form).
    S.cell.duty = (t && dutiesOn(day, S, true).find((a) => a.login === login && hhmm(a.start) === t.start)) || null;
    $("cell-add").hidden = !S.cell.duty;
    $("cell-status").textContent = T.saved_draft;
    $("cell-status").classList.remove("error");
  } catch (e) {
    $("cell-status").textContent = `${T.error}: ${e.message}`;
    $("cell-status").classList.add("error");
  }
});
$("week").addEventListener("click", (ev) => {
  const td = ev.target.closest("td.cell");
  if (td) openCell(td.dataset.login, td.dataset.day, ev.target.closest(".duty")?.dataset.start);
});
$("week").addEventListener("keydown", (ev) => {
  const td = ev.target.closest("td.cell");
  if (td && (ev.key === "Enter" || ev.key === " ")) {
    ev.preventDefault();
    openCell(td.dataset.login, td.dataset.day);
  }
});

// -- the week, the view, publishing ---------------------------------------------------------

function goTo(day) {
  S.day = day;
  S.monday = mondayOf(day);
  load().catch(fail);
}
$("prev-week").addEventListener("click", () => goTo(addDays(S.monday, -7)));
$("next-week").addEventListener("click", () => goTo(addDays(S.monday, 7)));
$("this-week").addEventListener("click", () => goTo(PAGE.business_day));
$("pick-date").addEventListener("change", () => $("pick-date").value && goTo($("pick-date").value));
document.querySelectorAll(".view").forEach((b) => b.addEventListener("click", () => {
  S.draft = b.dataset.view === "draft";
  load().catch(fail);
}));

$("publish").addEventListener("click", async () => {
  const drafts = S.range.drafts;
  if (!drafts.length) return alert(T.nothing_to_publish);
  try {
    for (const d of drafts) {
      if (!confirm(fmt(T.publish_confirm, d))) return;
      const r = await api("POST", `${API}/rosters/${d.id}/publish`);
      $("roster-state").textContent = fmt(T.published_version, r);
    }
    S.draft = false;
    await load();
  } catch (e) {
    fail(e);
  }
});

// -- print and export -------------------------------------------------------------------------

// The month's published roster as one compact table, for the wall.
async function drawMonth() {
  const [first, last] = monthOf(S.day);
  const [data, calendar] = await Promise.all([rostersOf(first, last), api("GET", `${API}/calendar?from=${first}&to=${last}`)]);
  const days = daysBetween(first, last);
  const closed = new Set(calendar.days.filter((c) => !c.is_workday).map((c) => c.day));
  const off = (d) => (closed.has(d) ? ' class="off"' : ""); // days off (weekends, holidays) shaded on paper
  const short = (d) => (EN ? dayName(d).slice(0, 2) : dayName(d).slice(-1));
  const head = `<thead><tr><th class="who-col">${esc(T.staff_col)}</th>${days.map((d) => `<th${off(d)}>${d.slice(8)}<br>${esc(short(d))}</th>`).join("")}</tr></thead>`;
  const working = new Set(days.flatMap((d) => dutiesOn(d, data, false).map((a) => a.login)));
  const people = S.staff.filter((m) => m.active || working.has(m.login));
  const rows = people.map((m) => `<tr><th class="who-col">${esc(m.name)}</th>${days.map((d) => {
    const mine = dutiesOn(d, data, false).filter((a) => a.login === m.login);
    return `<td${off(d)}>${mine.map((a) => `${esc(a.shift)}${a.post ? `<br>${esc(a.post)}` : ""}`).join("<br>")}</td>`;
  }).join("")}</tr>`);
  $("month").innerHTML = `${head}<tbody>${rows.join("")}</tbody>`;
  $("print-period").textContent = fmt(T.print_period, { first, last });
}

function print(kind) {
  document.body.dataset.print = kind;
  window.print();
}
window.addEventListener("afterprint", () => {
  delete document.body.dataset.print;
  const days = weekOf(S.monday);
  $("print-period").textContent = fmt(T.print_period, { first: days[0], last: days[6] });
});
$("print-week").addEventListener("click", async () => {
  if (S.draft) {
    S.draft = false; // the wall gets the published roster
    await load();
  }
  print("week");
});
$("print-month").addEventListener("click", async () => {
  try {
    await drawMonth();
    print("month");
  } catch (e) {
    fail(e);
  }
});

// -- side tabs and start ------------------------------------------------------------------------

export function showTab(name) {
  document.querySelectorAll(".side-tab").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === name)));
  document.querySelectorAll(".side-pane").forEach((p) => p.classList.toggle("active", p.dataset.pane === name));
}
document.querySelectorAll(".side-tab").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));

function fail(e) {
  $("roster-state").textContent = `${T.error}: ${e.message}`;
}

openBoard(async () => {
  await loadStatic();
  initPanels(S, { load, saveDraft, staffName });
  await load();
}, fail);
