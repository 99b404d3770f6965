// The 预约 page: a day's appointments (state, ticket once checked in), booking one, cancelling
// one after a confirm, and the CSV import: the chosen file goes to the server's preview as it
// is (UTF-8 or GBK bytes), every bad row comes back red with its line and reasons, and 导入
// opens only when no row is bad; the import itself is all rows or none.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { EN, esc, localTime } from "./dashboard-util.js";
import { api, signIn } from "./pages-auth.js";

const API = `/api/halls/${PAGE.hall.slug}`;
const S = { day: PAGE.business_day, list: [], file: null, preview: null, csrf: null };
window.hallqAppointments = S;

const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};
const serviceName = (code) => {
  const s = PAGE.hall.services.find((x) => x.code === code);
  return s ? `${code} ${EN ? s.name_en : s.name_zh}` : code;
};
const slotText = (start, end) => `${localTime(start, S.day, false)}–${localTime(end, S.day, false)}`;

async function load() {
  const data = await api("GET", `${API}/appointments?date=${encodeURIComponent(S.day)}`);
  S.list = data.appointments;
  draw();
}

function draw() {
  const rows = S.list.map((a) => `<tr data-code="${esc(a.code)}" class="${esc(a.state)}">
    <td class="slot">${esc(slotText(a.slot_start, a.slot_end))}</td><td class="code">${esc(a.code)}</td>
    <td>${esc(serviceName(a.service))}</td><td class="name">${esc(a.name || T.none || "")}</td>
    <td class="state">${esc(T[`appt_state_${a.state}`] || a.state)}</td><td class="ticket">${esc(a.ticket_number || "")}</td>
    <td>${a.state === "booked" ? `<button type="button" class="small secondary cancel">${esc(T.appt_cancel)}</button>` : ""}</td></tr>`);
  $("appointments").querySelector("tbody").innerHTML = rows.join("");
  $("appointments").hidden = S.list.length === 0;
  $("appt-none").hidden = S.list.length > 0;
  $("appt-count").textContent = S.list.length ? fmt(T.appt_count, { n: S.list.length }) : "";
}

async function cancel(code) {
  const a = S.list.find((x) => x.code === code);
  if (!a || !window.confirm(fmt(T.appt_cancel_confirm, { code, name: a.name, slot: slotText(a.slot_start, a.slot_end) }))) return;
  try {
    await api("DELETE", `${API}/appointments/${encodeURIComponent(code)}`);
    say("appt-status", fmt(T.appt_cancelled, { code }));
    await load();
  } catch (e) {
    say("appt-status", e.message, true);
  }
}

async function book(ev) {
  ev.preventDefault();
  const day = $("b-day").value;
  const body = {
    code: $("b-code").value.trim(), service: $("b-service").value,
    slot_start: `${day}T${$("b-start").value}`, slot_end: `${day}T${$("b-end").value}`, name: $("b-name").value.trim(),
  };
  try {
    const made = await api("POST", `${API}/appointments`, body);
    say("book-status", fmt(T.appt_booked, { code: made.code }));
    $("b-code").value = "";
    $("b-name").value = "";
    await show(day);
  } catch (e) {
    say("book-status", e.message, true);
  }
}

async function show(day) {
  S.day = day;
  $("day").value = day;
  await load();
}

// -- the CSV import --------------------------------------------------------------------------

/** The file's bytes to ``path`` as text/csv; the answer's JSON, or an Error with the server's message. */
async function upload(path, bytes) {
  const r = await fetch(path, {
    method: "POST", credentials: "same-origin", body: bytes,
    headers: { "Content-Type": "text/csv", Accept: "application/json", "X-CSRF-Token": S.csrf || "" },
  });
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new Error(data?.error?.message || r.statusText);
  return data;
}

function problemText(p) {
  return `${p.column ? `${p.column}：` : ""}${EN ? p.en : p.zh}`;
}

function drawPreview() {
  const p = S.preview;
  $("preview").hidden = !p || p.rows.length === 0;
  $("import").disabled = !p || p.bad > 0 || p.good === 0;
  if (!p) return;
  $("preview").querySelector("tbody").innerHTML = p.rows.map((row) => {
    const a = row.appointment;
    const c = row.cells;
    const slot = a ? slotText(a.slot_start, a.slot_end) : `${c.slot_start ?? ""} – ${c.slot_end ?? ""}`;
    const problems = row.ok ? esc(T.appt_ok) : `<ul>${row.problems.map((x) => `<li>${esc(problemText(x))}</li>`).join("")}</ul>`;
    return `<tr data-line="${row.line}" class="${row.ok ? "good" : "bad"}"><td>${row.line}</td><td>${esc(c.code ?? "")}</td>
      <td>${esc(c.service ?? "")}</td><td class="slot">${esc(slot)}</td><td>${esc(c.name ?? "")}</td>
      <td class="problems">${problems}</td></tr>`;
  }).join("");
  const summary = fmt(T.appt_preview_summary, { good: p.good, bad: p.bad, encoding: p.encoding.toUpperCase() });
  if (p.rows.length === 0) say("import-status", T.appt_preview_empty, true);
  else if (p.bad) say("import-status", `${summary}。${T.appt_preview_blocked}`, true);
  else say("import-status", `${summary}。${fmt(T.appt_preview_ready, { n: p.good })}`);
}

async function check() {
  const file = $("csv-file").files[0];
  S.file = null;
  S.preview = null;
  drawPreview();
  if (!file) return say("import-status", "");
  say("import-status", T.appt_checking);
  try {
    S.file = await file.arrayBuffer();
    S.preview = await upload(`${API}/appointments/import/preview`, S.file);
    drawPreview();
  } catch (e) {
    S.file = null;
    say("import-status", e.message, true);
  }
}

async function importFile() {
  if (!S.file || !S.preview || S.preview.bad) return;
  $("import").disabled = true;
  try {
    const done = await upload(`${API}/appointments/import`, S.file);
    const first = S.preview.rows[0]?.appointment;
    S.file = null;
    S.preview = null;
    $("csv-file").value = "";
    drawPreview();
    say("import-status", fmt(T.appt_imported, { n: done.imported }));
    if (first) await show(new Date(first.slot_start).toLocaleDateString("en-CA", { timeZone: PAGE.timezone }));
  } catch (e) {
    say("import-status", e.message, true);
    $("import").disabled = false;
  }
}

function start() {
  $("b-service").innerHTML = PAGE.hall.services
    .map((s) => `<option value="${esc(s.code)}">${esc(serviceName(s.code))}</option>`).join("");
  $("day").value = S.day;
  $("b-day").value = S.day;
  $("day").addEventListener("change", () => $("day").value && show($("day").value).catch((e) => say("appt-status", e.message, true)));
  $("today").addEventListener("click", () => show(PAGE.business_day).catch((e) => say("appt-status", e.message, true)));
  $("appointments").addEventListener("click", (ev) => {
    const button = ev.target.closest("button.cancel");
    if (button) cancel(button.closest("tr").dataset.code);
  });
  $("book-form").addEventListener("submit", book);
  $("csv-file").addEventListener("change", check);
  $("import").addEventListener("click", importFile);
}

// signIn rather than openBoard: the raw CSV upload needs the session's CSRF token itself.
signIn(async (me) => {
  S.csrf = me.csrf_token;
  $("board").hidden = false;
  try {
    start();
    await load();
    document.body.dataset.ready = "1";
  } catch (e) {
    say("appt-status", e.message, true);
  }
});
