// 取号机: pick a service, maybe a priority class, take a ticket; or check in an appointment.
// A kiosk device token in the URL (?token=hqd_…) is sent as "Authorization: Bearer" and
// unlocks the priority classes (elderly, disabled, green channel).
import { $, PAGE, T, minutes, params } from "./hallq-live.js";

const hall = PAGE.hall;
const en = document.documentElement.lang === "en";
const token = params.get("token");
const names = Object.fromEntries(hall.services.map((s) => [s.code, en ? s.name_en : s.name_zh]));
const sections = ["home", "priority", "check-in", "issued"];
let chosen = null;
let backTimer = null;

function show(id) {
  for (const s of sections) $(s).hidden = s !== id;
  $("error").hidden = true;
  clearTimeout(backTimer);
  if (id !== "home") backTimer = setTimeout(() => show("home"), 60000);
}

function fail(message) {
  const e = $("error");
  e.textContent = `${T.error}: ${message}`;
  e.hidden = false;
}

async function post(path, body) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(answer.error?.message || r.statusText);
  return answer;
}

function showTicket(t) {
  $("slip-number").textContent = t.number;
  $("slip-service").textContent = names[t.service] || t.service;
  $("slip-ahead").textContent = t.ahead;
  $("slip-wait").textContent = minutes(t.estimated_wait_s);
  $("slip-time").textContent = new Date(t.issued_at).toLocaleString(en ? "en-GB" : "zh-CN", { hour12: false });
  $("slip-qr").src = `/kiosk/${encodeURIComponent(hall.slug)}/qr?path=${encodeURIComponent(t.track_url)}`;
  $("issued").dataset.trackUrl = t.track_url;
  show("issued");
}

async function issue(priority) {
  try {
    showTicket(await post(`/api/halls/${encodeURIComponent(hall.slug)}/tickets`, { service: chosen, priority }));
    refresh();
  } catch (err) {
    show("home");
    fail(err.message);
  }
}

document.querySelectorAll("[data-service]").forEach((b) =>
  b.addEventListener("click", () => {
    chosen = b.dataset.service;
    if (token && hall.priority_classes.length) show("priority");
    else issue("normal");
  }),
);
document.querySelectorAll("[data-priority]").forEach((b) => b.addEventListener("click", () => issue(b.dataset.priority)));
document.querySelectorAll("[data-back]").forEach((b) => b.addEventListener("click", () => show("home")));
$("open-check-in").addEventListener("click", () => {
  $("code").value = "";
  show("check-in");
  $("code").focus();
});
document.querySelectorAll("[data-key]").forEach((b) =>
  b.addEventListener("click", () => {
    const code = $("code");
    code.value = b.dataset.key === "clear" ? "" : code.value + b.dataset.key;
  }),
);
$("submit-code").addEventListener("click", async () => {
  const code = $("code").value.trim();
  if (!code) return;
  try {
    showTicket(await post(`/api/halls/${encodeURIComponent(hall.slug)}/appointments/check-in`, { code }));
  } catch (err) {
    fail(err.message);
  }
});
$("print").addEventListener("click", () => window.print());

async function refresh() {
  try {
    const r = await fetch(`/api/halls/${encodeURIComponent(hall.slug)}`);
    const body = await r.json();
    for (const s of body.services) {
      const el = document.querySelector(`[data-waiting="${s.code}"]`);
      if (el) el.textContent = s.waiting;
    }
  } catch {
    /* offline for a moment: keep the counts */
  }
}
setInterval(refresh, 15000);
