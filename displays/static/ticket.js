// A visitor's phone: live position and wait, "请到 N 号窗口" when called, then the rating.
//
// The ticket channel brings the ticket's changes and the people ahead. The status answer
// (GET /api/tickets/{id}) brings the service's names and the estimate: it is asked on load, when
// the ticket itself changes (called, transferred, …) and every minute while it waits; between two
// answers the estimate follows the people ahead (ahead × seconds_per_person).
import { $, AT_WINDOW, EN, Live, PAGE, T, fmt, minutes, params, showOnline } from "./hallq-live.js";

const id = PAGE.ticket_id;
const token = params.get("token") || "";
const STATUS_EVERY_MS = 60000;
// ahead: the people ahead as last heard (channel or status answer); aheadNews counts the
// channel's word on it, so a status answer asked before the latest word does not undo it.
const state = { ticket: null, status: null, rated: false, ahead: null, aheadNews: 0 };
window.hallqTicket = state;
let lastCall = null;

// The estimated wait for ``ahead`` people ahead: the server's while the line is as it said, else
// ahead × seconds_per_person (a server without that field: its estimate scaled by the line).
function waitSeconds(s, ahead) {
  if (ahead === s.ahead) return s.estimated_wait_s;
  if (typeof s.seconds_per_person === "number") return ahead * s.seconds_per_person;
  return s.ahead > 0 ? (s.estimated_wait_s * ahead) / s.ahead : s.estimated_wait_s;
}

function heardAhead(ahead) {
  if (ahead == null) return;
  state.ahead = ahead;
  state.aheadNews += 1;
}

function render() {
  const s = state.status;
  const t = state.ticket || s;
  if (!t) return;
  $("number").textContent = t.number;
  if (s) $("service").textContent = EN ? s.service_name_en : s.service_name_zh;
  $("state").textContent = T[`state_${t.state}`] || t.state;
  document.body.dataset.state = t.state;
  const atWindow = AT_WINDOW.includes(t.state) && t.window;
  const go = $("go");
  go.hidden = !(t.state === "called" && atWindow);
  go.textContent = fmt(T.go_to_window, { n: t.window });
  $("facts").hidden = t.state !== "waiting";
  const ahead = state.ahead ?? s?.ahead;
  $("ahead").textContent = s ? ahead : "-";
  $("wait").textContent = s ? minutes(waitSeconds(s, ahead)) : "-";
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

let statusAsked = 0;
async function fetchStatus() {
  const asked = ++statusAsked;
  const news = state.aheadNews;
  const r = await fetch(`/api/tickets/${id}?token=${encodeURIComponent(token)}`);
  if (!r.ok) {
    $("error").textContent = T.no_ticket;
    $("error").hidden = false;
    return false;
  }
  const status = await r.json();
  if (asked !== statusAsked) return true; // a later answer is on its way
  state.status = status;
  if (state.aheadNews === news) state.ahead = state.status.ahead; // nothing newer from the channel
  $("hall-name").textContent = (EN ? PAGE.hall_en : PAGE.hall_zh) || state.status.hall;
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

// The ticket as the page knows it changed (not only its place in line): worth a status answer.
const changedTicket = (before, after) => !before || before.state !== after.state || before.service !== after.service;

if (await fetchStatus()) {
  new Live(`/ws/tickets/${id}?token=${encodeURIComponent(token)}`, {
    snapshot(msg) {
      const before = state.ticket || state.status;
      state.ticket = msg.ticket;
      heardAhead(msg.ahead);
      render();
      // The first snapshot follows the status answer of the page's load; a later one (after a
      // reconnection) may carry a ticket that changed meanwhile.
      if (changedTicket(before, msg.ticket)) fetchStatus();
    },
    event(msg) {
      if (msg.ticket) state.ticket = msg.ticket;
      heardAhead(msg.ahead);
      render();
      if (msg.ticket) fetchStatus(); // the ticket itself changed; a moving line is drawn above
    },
    status: showOnline,
  }).start();
  setInterval(() => {
    if ((state.ticket || state.status).state === "waiting") fetchStatus().catch(() => {});
  }, STATUS_EVERY_MS);
}
