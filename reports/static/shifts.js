// The 班次 page: the hall's shift templates (code, names, start and end on the 15-minute grid,
// the lunch break and where it may fall, noon duty); add, change and delete one. A refused
// template shows the server's message next to the field it names.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { esc } from "./dashboard-util.js";
import { api, openBoard } from "./pages-auth.js";
import { API, shiftColour } from "./roster-util.js";
import { clearRefusal, showRefusal } from "./pages-fields.js";

const EN = PAGE.lang === "en";
const S = { shifts: [], editing: null };
window.hallqShifts = S;
const FIELDS = ["code", "name_zh", "name_en", "start", "end", "lunch_minutes", "lunch_earliest", "lunch_latest"];

const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};
const hours = (minutes) => fmt(T.hours_n, { h: Math.round((minutes / 60) * 100) / 100 });

function lunchText(s) {
  if (!s.lunch_minutes) return T.lunch_none;
  const window = s.lunch_earliest ? `${s.lunch_earliest}–${s.lunch_latest}` : T.lunch_anywhere;
  return fmt(T.lunch_of, { minutes: s.lunch_minutes, window });
}

async function load() {
  S.shifts = (await api("GET", `${API}/shifts`)).shifts;
  draw();
}

function draw() {
  const rows = S.shifts.map((s) => `<tr data-code="${esc(s.code)}">
    <td><span class="swatch" style="--c:${shiftColour(S.shifts, s.code)}"></span><b class="code">${esc(s.code)}</b></td>
    <td class="name">${esc(EN ? s.name_en || s.name_zh : s.name_zh)}<small>${esc(EN ? s.name_zh : s.name_en)}</small></td>
    <td class="time">${esc(s.start)}–${esc(s.end)}</td><td class="hours">${esc(hours(s.minutes))}</td>
    <td class="lunch">${esc(lunchText(s))}</td><td class="noon">${s.noon_duty ? esc(T.yes) : ""}</td>
    <td><div class="row-actions"><button type="button" class="small edit">${esc(T.edit)}</button>
      <button type="button" class="small secondary delete">${esc(T.delete)}</button></div></td></tr>`);
  $("shifts").querySelector("tbody").innerHTML = rows.length ? rows.join("") : `<tr><td colspan="7" class="note">${esc(T.no_shifts)}</td></tr>`;
}

function edit(code) {
  const s = S.shifts.find((x) => x.code === code);
  S.editing = code;
  clearRefusal($("shift-form"));
  $("form-title").textContent = `${T.edit} · ${s.code}`;
  for (const f of FIELDS) $(`f-${f}`).value = s[f] ?? "";
  $("f-noon_duty").checked = s.noon_duty;
  $("f-code").readOnly = true;
  say("form-status", "");
  say("shifts-status", "");
  $("f-name_zh").focus();
}

function blank() {
  S.editing = null;
  $("shift-form").reset();
  clearRefusal($("shift-form"));
  $("f-code").readOnly = false;
  $("form-title").textContent = T.add_shift;
  say("form-status", "");
}

// The form as the API takes it: a blank lunch window is none (the whole shift).
function body() {
  const v = (f) => $(`f-${f}`).value.trim();
  const minutes = v("lunch_minutes");
  return {
    name_zh: v("name_zh"), name_en: v("name_en"), start: v("start"), end: v("end"),
    lunch_minutes: minutes === "" ? 0 : Number(minutes),
    lunch_earliest: v("lunch_earliest") || null, lunch_latest: v("lunch_latest") || null,
    noon_duty: $("f-noon_duty").checked,
  };
}

async function save(ev) {
  ev.preventDefault();
  const code = S.editing || $("f-code").value.trim();
  try {
    const r = S.editing
      ? await api("PUT", `${API}/shifts/${encodeURIComponent(S.editing)}`, body())
      : await api("POST", `${API}/shifts`, { code, ...body() });
    blank();
    await load();
    say("shifts-status", fmt(T.shift_saved, { code: r.code }));
  } catch (e) {
    const beside = showRefusal($("shift-form"), e.message);
    say("form-status", beside ? T.not_saved : `${T.error}: ${e.message}`, true);
  }
}

async function act(ev) {
  const tr = ev.target.closest("tr[data-code]");
  if (!tr || ev.target.tagName !== "BUTTON") return;
  const code = tr.dataset.code;
  if (ev.target.classList.contains("edit")) return edit(code);
  const s = S.shifts.find((x) => x.code === code);
  if (!confirm(fmt(T.shift_delete_confirm, { code, name: EN ? s.name_en : s.name_zh }))) return;
  try {
    await api("DELETE", `${API}/shifts/${encodeURIComponent(code)}`);
    if (S.editing === code) blank();
    await load();
    say("shifts-status", fmt(T.shift_deleted, { code }));
  } catch (e) {
    say("shifts-status", `${T.error}: ${e.message}`, true);
  }
}

$("shift-form").addEventListener("submit", save);
$("f-cancel").addEventListener("click", blank);
$("add-shift").addEventListener("click", () => {
  blank();
  $("f-code").focus();
});
$("shifts").addEventListener("click", act);

openBoard(load, (e) => say("shifts-status", `${T.error}: ${e.message}`, true));
