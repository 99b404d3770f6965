// The 事项 page: each service's state (issuing, paused with the reason the kiosk shows, or no
// window serves it), pause issuing (暂停取号, a reason required) and resume; the notices (公告)
// the hall's screens show now, publish one (Chinese, English, until when) and withdraw one.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { EN, esc, localTime } from "./dashboard-util.js";
import { api, openBoard } from "./pages-auth.js";
import { clearRefusal, showRefusal } from "./pages-fields.js";

const API = `/api/halls/${PAGE.hall.slug}`;
const S = { services: [], notices: [] };
window.hallqServices = S;

const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};
const nameOf = (s) => (EN ? s.name_en : s.name_zh) || s.code;
const byCode = (code) => S.services.find((s) => s.code === code);

function stateOf(s) {
  if (s.paused_reason != null) return { cls: "paused", text: fmt(T.mg_paused, { reason: s.paused_reason }) };
  if (!s.available) return { cls: "unserved", text: T.mg_unserved };
  return { cls: "issuing", text: T.mg_issuing };
}

async function loadServices() {
  S.services = (await api("GET", API)).services;
  $("services").querySelector("tbody").innerHTML = S.services.map((s) => {
    const state = stateOf(s);
    const button = s.paused_reason != null
      ? `<button type="button" class="small resume">${esc(T.mg_resume)}</button>`
      : `<button type="button" class="small secondary pause">${esc(T.mg_pause)}</button>`;
    return `<tr data-code="${esc(s.code)}" class="svc-${state.cls}"><td>${esc(s.code)}</td><td>${esc(nameOf(s))}</td>
      <td>${s.waiting}</td><td class="state">${esc(state.text)}</td><td>${button}</td></tr>`;
  }).join("");
  const chosen = $("p-service").value;
  const open = S.services.filter((s) => s.paused_reason == null);
  $("p-service").innerHTML = open.map((s) => `<option value="${esc(s.code)}">${esc(s.code)} ${esc(nameOf(s))}</option>`).join("");
  if (open.some((s) => s.code === chosen)) $("p-service").value = chosen;
  $("p-pause").disabled = !open.length;
}

async function loadNotices() {
  S.notices = (await api("GET", `${API}/notices`)).notices;
  const at = (iso) => localTime(iso, PAGE.business_day, false);
  $("notices").innerHTML = S.notices.length
    ? S.notices.map((n) => `<li data-id="${n.id}"><span class="notice-text">${esc(n.text_zh)}${
      n.text_en ? `<small>${esc(n.text_en)}</small>` : ""}</span>
      <span class="when">${esc(fmt(T.mg_by, { by: n.created_by || T.none, at: at(n.created_at) }))}${
      n.expires_at ? ` · ${esc(fmt(T.mg_expires, { at: at(n.expires_at) }))}` : ""}</span>
      <button type="button" class="small secondary withdraw">${esc(T.mg_withdraw)}</button></li>`).join("")
    : `<li class="none">${esc(T.mg_no_notices)}</li>`;
}

async function pause(ev) {
  ev.preventDefault();
  clearRefusal($("pause-form"));
  say("pause-status", "");
  const s = byCode($("p-service").value);
  try {
    await api("POST", `${API}/services/${encodeURIComponent(s.code)}/pause`, { reason: $("p-reason").value.trim() });
    $("p-reason").value = "";
    await loadServices();
    say("services-status", fmt(T.mg_paused_ok, { name: nameOf(s) }));
  } catch (e) {
    if (!showRefusal($("pause-form"), e.message)) say("pause-status", `${T.error}: ${e.message}`, true);
  }
}

async function row(ev) {
  const tr = ev.target.closest("tr[data-code]");
  if (!tr || ev.target.tagName !== "BUTTON") return;
  const s = byCode(tr.dataset.code);
  if (ev.target.classList.contains("pause")) {
    $("p-service").value = s.code;
    $("p-reason").focus();
    return;
  }
  try {
    await api("POST", `${API}/services/${encodeURIComponent(s.code)}/resume`);
    await loadServices();
    say("services-status", fmt(T.mg_resumed_ok, { name: nameOf(s) }));
  } catch (e) {
    say("services-status", `${T.error}: ${e.message}`, true);
  }
}

async function publish(ev) {
  ev.preventDefault();
  clearRefusal($("notice-form"));
  say("notice-status", "");
  const body = { text_zh: $("n-text-zh").value.trim() };
  if ($("n-text-en").value.trim()) body.text_en = $("n-text-en").value.trim();
  if ($("n-until").value) body.expires_at = $("n-until").value; // the hall's local time, as the server reads it
  try {
    await api("POST", `${API}/notices`, body);
    $("notice-form").reset();
    await loadNotices();
    say("notices-status", T.mg_published_ok);
  } catch (e) {
    if (!showRefusal($("notice-form"), e.message)) say("notice-status", `${T.error}: ${e.message}`, true);
  }
}

async function withdraw(ev) {
  const li = ev.target.closest("li[data-id]");
  if (!li || !ev.target.classList.contains("withdraw")) return;
  if (!confirm(T.mg_withdraw_confirm)) return;
  try {
    await api("DELETE", `${API}/notices/${li.dataset.id}`);
    await loadNotices();
    say("notices-status", T.mg_withdrawn_ok);
  } catch (e) {
    say("notices-status", `${T.error}: ${e.message}`, true);
  }
}

$("pause-form").addEventListener("submit", pause);
$("services").addEventListener("click", row);
$("notice-form").addEventListener("submit", publish);
$("notices").addEventListener("click", withdraw);

openBoard(() => Promise.all([loadServices(), loadNotices()]), (e) => say("services-status", `${T.error}: ${e.message}`, true));
