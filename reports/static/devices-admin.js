// The 设备 page: device tokens (create with the secret and its pairing QR code shown this once,
// list, revoke after a confirm), the serial devices' health now and its changes of the last week.
// The secret lives only in this page's memory until the next reload: the server keeps its hash.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { esc, localTime } from "./dashboard-util.js";
import { deviceName, stateOf } from "./dashboard-devices.js";
import { api, openBoard } from "./pages-auth.js";
import { clearRefusal, showRefusal } from "./pages-fields.js";

const API = `/api/halls/${PAGE.hall.slug}`;
const S = { tokens: [], devices: [] };
window.hallqDevicesAdmin = S;

const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};
const when = (iso) => (iso ? localTime(iso, PAGE.business_day, false) : T.mg_never);
const kindName = (kind) => T[`mg_kind_${kind}`] || kind;
const labelOf = (t) => t.label || `${kindName(t.kind)} #${t.id}`;
const LOCAL = ["127.0.0.1", "localhost", "[::1]", "::1"];

async function loadTokens() {
  S.tokens = (await api("GET", `${API}/tokens`)).tokens;
  $("tokens").querySelector("tbody").innerHTML = S.tokens.length
    ? S.tokens.slice().reverse().map((t) => `<tr data-id="${t.id}" class="${t.revoked_at ? "inactive" : ""}">
      <td class="label">${esc(labelOf(t))}</td><td>${esc(kindName(t.kind))}</td><td>${esc(when(t.created_at))}</td>
      <td>${esc(when(t.last_used_at))}</td>
      <td class="state">${esc(t.revoked_at ? fmt(T.mg_revoked, { at: when(t.revoked_at) }) : T.mg_active)}</td>
      <td>${t.revoked_at ? "" : `<button type="button" class="small secondary revoke">${esc(T.mg_revoke)}</button>`}</td></tr>`).join("")
    : `<tr><td colspan="6" class="none">${esc(T.mg_no_tokens)}</td></tr>`;
}

async function loadDevices() {
  S.devices = (await api("GET", `${API}/devices`)).devices;
  $("devices").querySelector("tbody").innerHTML = S.devices.length
    ? S.devices.map((d) => `<tr data-device="${esc(d.id)}" class="dev-${stateOf(d)}">
      <td>${esc(deviceName(d))}</td><td class="state">${esc(T[`device_${stateOf(d)}`] || d.state)}${d.error ? `<small>${esc(d.error)}</small>` : ""}</td>
      <td>${esc(when(d.since))}</td></tr>`).join("")
    : `<tr><td colspan="3" class="none">${esc(T.mg_no_devices)}</td></tr>`;
  const chosen = $("history-device").value;
  $("history-device").innerHTML = `<option value="">${esc(T.mg_all_devices)}</option>`
    + S.devices.map((d) => `<option value="${esc(d.id)}">${esc(deviceName(d))}</option>`).join("");
  $("history-device").value = S.devices.some((d) => d.id === chosen) ? chosen : "";
}

async function loadHistory() {
  const device = $("history-device").value;
  const q = device ? `?device=${encodeURIComponent(device)}` : "";
  const changes = (await api("GET", `${API}/devices/history${q}`)).changes;
  const state = (s) => (s ? T[`device_${s}`] || s : T.none);
  $("history").querySelector("tbody").innerHTML = changes.length
    ? changes.map((c) => `<tr class="dev-${esc(c.to)}"><td>${esc(localTime(c.at, PAGE.business_day))}</td>
      <td>${esc(deviceName({ id: c.device, kind: c.kind, window: c.window }))}</td>
      <td class="state">${esc(state(c.from))} → ${esc(state(c.to))}${c.error ? `<small>${esc(c.error)}</small>` : ""}</td></tr>`).join("")
    : `<tr><td colspan="3" class="none">${esc(T.mg_no_history)}</td></tr>`;
}

function fillScreens() {
  $("f-screen").innerHTML = `<option value="">${esc(T.mg_screen_hall)}</option>`
    + PAGE.hall.windows.map((w) => `<option value="${w.number}">${esc(fmt(T.window_n, { n: w.number }))}</option>`).join("");
  const display = $("f-kind").value === "display";
  $("screen-label").hidden = !display;
}

async function create(ev) {
  ev.preventDefault();
  clearRefusal($("token-form"));
  say("form-status", "");
  const kind = $("f-kind").value;
  const screen = kind === "display" && $("f-screen").value ? Number($("f-screen").value) : undefined;
  try {
    const made = await api("POST", `${API}/tokens`, { kind, label: $("f-label").value.trim() });
    const pair = await api("POST", `/dashboard/${PAGE.hall.slug}/devices-admin/pairing`, { kind, token: made.token, window: screen });
    $("qr").innerHTML = pair.svg; // drawn by the server (segno): an <svg> of black squares
    $("pairing-label").textContent = kind === "agent" ? T.mg_pair_agent : T.mg_pair_url;
    $("pairing").textContent = pair.pairing;
    $("localhost").hidden = !LOCAL.includes(location.hostname);
    $("secret-box").hidden = false;
    $("token-form").reset();
    fillScreens();
    say("tokens-status", "");
    await loadTokens();
  } catch (e) {
    if (!showRefusal($("token-form"), e.message)) say("form-status", `${T.error}: ${e.message}`, true);
  }
}

async function revoke(ev) {
  const button = ev.target.closest("button.revoke");
  if (!button) return;
  const token = S.tokens.find((t) => t.id === Number(button.closest("tr").dataset.id));
  if (!confirm(fmt(T.mg_revoke_confirm, { label: labelOf(token) }))) return;
  try {
    await api("DELETE", `${API}/tokens/${token.id}`);
    await loadTokens();
    say("tokens-status", fmt(T.mg_revoked_ok, { label: labelOf(token) }));
  } catch (e) {
    say("tokens-status", `${T.error}: ${e.message}`, true);
  }
}

$("token-form").addEventListener("submit", create);
$("f-kind").addEventListener("change", fillScreens);
$("tokens").addEventListener("click", revoke);
$("history-device").addEventListener("change", () => loadHistory().catch((e) => say("tokens-status", `${T.error}: ${e.message}`, true)));
fillScreens();

openBoard(async () => {
  await Promise.all([loadTokens(), loadDevices()]);
  await loadHistory();
}, (e) => say("tokens-status", `${T.error}: ${e.message}`, true));
