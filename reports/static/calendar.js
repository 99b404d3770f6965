// The 日历 page: a month of the hall's calendar (what each day is: workday, weekend, holiday,
// 调休 workday; its name; where that comes from: set here, the hall file, the national
// calendar, or the weekly pattern guessed beyond the holiday data), and setting a day from
// here (it beats the hall file's) or clearing it again.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { esc } from "./dashboard-util.js";
import { api, openBoard } from "./pages-auth.js";
import { API, addDays, dayName, mondayOf, monthOf } from "./roster-util.js";
import { clearRefusal, showRefusal } from "./pages-fields.js";

const S = { month: PAGE.business_day.slice(0, 7), days: [], picked: null };
window.hallqCalendar = S;

const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};
const kindWord = (k) => T[`kind_${k}`] || k;
const sourceWord = (s) => T[`source_${s}`] || s;
const own = (c) => c.source === "dashboard" || c.source === "hall";
// Worth a line in the list: a day not plainly what its weekday makes it.
const special = (c) => own(c) || c.kind === "holiday" || c.kind === "adjusted_workday" || Boolean(c.name);

async function load() {
  const [first, last] = monthOf(`${S.month}-01`);
  S.days = (await api("GET", `${API}/calendar?from=${first}&to=${last}`)).days;
  draw();
}

function cellHtml(c) {
  const cls = ["day", c.kind, c.is_workday ? "" : "off", own(c) ? "own" : "", c.beyond_data ? "guessed" : "",
    S.picked === c.day ? "picked" : ""].join(" ");
  const tag = c.kind === "holiday" || c.kind === "adjusted_workday" ? `<span class="kind">${esc(kindWord(c.kind))}</span>` : "";
  const src = own(c) ? `<span class="src">${esc(sourceWord(c.source))}</span>` : "";
  return `<td class="${cls}" data-day="${c.day}" tabindex="0" title="${esc(fmt(T.day_is, { kind: kindWord(c.kind), source: sourceWord(c.source) }))}">
    <span class="n">${Number(c.day.slice(8))}</span>${tag}${c.name ? `<span class="name">${esc(c.name)}</span>` : ""}${src}</td>`;
}

function draw() {
  const [first, last] = monthOf(`${S.month}-01`);
  $("pick-month").value = S.month;
  $("month-title").textContent = fmt(T.month_title, { year: S.month.slice(0, 4), month: Number(S.month.slice(5)) });
  const byDay = new Map(S.days.map((c) => [c.day, c]));
  const weeks = [];
  for (let monday = mondayOf(first); monday <= last; monday = addDays(monday, 7)) {
    const cells = Array.from({ length: 7 }, (_, i) => {
      const d = addDays(monday, i);
      return byDay.has(d) ? cellHtml(byDay.get(d)) : '<td class="pad"></td>';
    });
    weeks.push(`<tr>${cells.join("")}</tr>`);
  }
  $("month").querySelector("tbody").innerHTML = weeks.join("");
  const guessed = S.days.filter((c) => c.beyond_data).map((c) => c.day);
  $("beyond").hidden = !guessed.length;
  $("beyond").textContent = guessed.length ? fmt(T.beyond_data, { days: `${guessed[0]} – ${guessed.at(-1)}` }) : "";
  const list = S.days.filter(special).map((c) => `<li data-day="${c.day}"><span class="when">${c.day} ${esc(dayName(c.day))}</span>
    <span>${esc(kindWord(c.kind))}${c.name ? ` · ${esc(c.name)}` : ""}</span><span class="when">${esc(sourceWord(c.source))}</span></li>`);
  $("special").innerHTML = list.length ? list.join("") : `<li class="none">${esc(T.no_special_days)}</li>`;
  if (S.picked && byDay.has(S.picked)) showDay(byDay.get(S.picked));
}

function showDay(c) {
  S.picked = c.day;
  document.querySelectorAll("#month td.picked").forEach((td) => td.classList.remove("picked"));
  document.querySelector(`#month td[data-day="${c.day}"]`)?.classList.add("picked");
  $("day-title").textContent = `${c.day} ${dayName(c.day)}`;
  $("day-is").textContent = fmt(T.day_is, { kind: kindWord(c.kind), source: sourceWord(c.source) });
  $("day-kind").value = c.kind;
  $("day-name").value = c.name || "";
  $("day-clear").disabled = c.source !== "dashboard"; // only what was set here can be cleared here
  $("day-hint").hidden = true;
  $("day-form").hidden = false;
}

function pick(day) {
  const c = S.days.find((x) => x.day === day);
  if (!c) return;
  clearRefusal($("day-form"));
  say("day-status", "");
  showDay(c);
}

async function setDay(ev) {
  ev.preventDefault();
  const day = S.picked;
  try {
    await api("PUT", `${API}/calendar/${day}`, { kind: $("day-kind").value, name: $("day-name").value.trim() });
    clearRefusal($("day-form"));
    await load();
    say("day-status", fmt(T.day_set, { day }));
  } catch (e) {
    showRefusal($("day-form"), e.message);
    say("day-status", `${T.error}: ${e.message}`, true);
  }
}

async function clearDay() {
  const day = S.picked;
  try {
    const c = await api("DELETE", `${API}/calendar/${day}`);
    clearRefusal($("day-form"));
    await load();
    say("day-status", fmt(T.day_cleared, { day, kind: kindWord(c.kind), source: sourceWord(c.source) }));
  } catch (e) {
    say("day-status", `${T.error}: ${e.message}`, true);
  }
}

function goTo(month) {
  S.month = month;
  load().catch((e) => say("calendar-status", `${T.error}: ${e.message}`, true));
}
const step = (n) => addDays(`${S.month}-15`, n * 30).slice(0, 7); // the 15th ± 30 days lands in the next month
$("prev-month").addEventListener("click", () => goTo(step(-1)));
$("next-month").addEventListener("click", () => goTo(step(1)));
$("this-month").addEventListener("click", () => goTo(PAGE.business_day.slice(0, 7)));
$("pick-month").addEventListener("change", () => $("pick-month").value && goTo($("pick-month").value));
$("month").addEventListener("click", (ev) => {
  const td = ev.target.closest("td[data-day]");
  if (td) pick(td.dataset.day);
});
$("month").addEventListener("keydown", (ev) => {
  const td = ev.target.closest("td[data-day]");
  if (td && (ev.key === "Enter" || ev.key === " ")) {
    ev.preventDefault();
    pick(td.dataset.day);
  }
});
$("day-form").addEventListener("submit", setDay);
$("day-clear").addEventListener("click", clearDay);

openBoard(load, (e) => say("calendar-status", `${T.error}: ${e.message}`, true));
