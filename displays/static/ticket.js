// A visitor's phone: live position and wait, "请到 N 号窗口" when called, then the rating.
import { $, Live, PAGE, T, fmt, minutes, params, showOnline } from "./hallq-live.js";

const id = PAGE.ticket_id;
const token = params.get("token") || "";
const en = document.documentElement.lang === "en";
const state = { ticket: null, status: null, rated: false };
let lastCall = null;

function render() {
  const s = state.status;
  const t = state.ticket || s;
  if (!t) return;
  $("number").textContent = t.number;
  if (s) $("service").textContent = en ? s.service_name_en : s.service_name_zh;
  $("state").textContent = T[`state_${t.state}`] || t.state;
  document.body.dataset.state = t.state;
  const atWindow = ["called", "serving", "held"].includes(t.state) && t.window;
  const go = $("go");
  go.hidden = !(t.state === "called" && atWindow);
  go.textContent = fmt(T.go_to_window, { n: t.window });
  $("facts").hidden = t.state !== "waiting";
  $("ahead").textContent = s ? s.ahead : "-";
  $("wait").textContent = s ? minutes(s.estimated_wait_s) : "-";
  $("rate").hidden = !(t.state === "done" && !state.rated);
  $("thanks").hidden = !state.rated;
  const call = t.state === "called" ? `${t.window}:${t.called_at}:${t.recall_count ?? 0}` : null;
  if (call && call !== lastCall) alertVisitor();
  lastCall = call;
}

function alertVisitor() {
  try {
    navigator.vibrate?.([400, 200, 400]);
  } catch {
    /* not allowed */
  }
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
  } catch {
    /* no sound before a touch */
  }
}

async function fetchStatus() {
  const r = await fetch(`/api/tickets/${id}?token=${encodeURIComponent(token)}`);
  if (!r.ok) {
    $("error").textContent = T.no_ticket;
    $("error").hidden = false;
    return false;
  }
  state.status = await r.json();
  $("hall-name").textContent = (en ? PAGE.hall_en : PAGE.hall_zh) || state.status.hall;
  render();
  return true;
}

$("rate").addEventListener("submit", async (e) => {
  e.preventDefault();
  const score = Number(e.submitter?.value);
  const r = await fetch(`/api/tickets/${id}/evaluation`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ score, token }),
  });
  if (r.ok || r.status === 409) {
    state.rated = true;
    render();
  } else {
    const body = await r.json().catch(() => ({}));
    $("error").textContent = `${T.error}: ${body.error?.message || r.status}`;
    $("error").hidden = false;
  }
});

if (await fetchStatus()) {
  new Live(`/ws/tickets/${id}?token=${encodeURIComponent(token)}`, {
    snapshot(msg) {
      state.ticket = msg.ticket;
      if (state.status && msg.ahead != null) state.status.ahead = msg.ahead;
      render();
      fetchStatus();
    },
    event(msg) {
      if (msg.ticket) state.ticket = msg.ticket;
      if (msg.ahead != null && state.status) state.status.ahead = msg.ahead;
      render();
      // The estimate is the server's to make: ask again when the line moved.
      if ("ahead" in msg || msg.ticket) fetchStatus();
    },
    status: showOnline,
  }).start();
}
