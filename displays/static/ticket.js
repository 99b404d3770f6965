// A visitor's phone: live position and wait, "请到 N 号窗口" when called, then the rating.
//
// The ticket channel brings the ticket's changes and the people ahead. The status answer
// (GET /api/tickets/{id}) brings the service's names and the estimate: it is asked on load, when
// the ticket itself changes (called, transferred, …) and every minute while it waits (every 10 s
// while no open window serves the service, so the time is back soon after one opens); between two
// answers the estimate follows the people ahead (ahead × seconds_per_person).
//
// A phone may vibrate and sound only after the visitor touched the page (Chromium blocks
// navigator.vibrate and keeps audio off before, and says so in the console): the page asks for one
// tap ("开启叫号提醒") and only after it vibrates and rings when the ticket is called.
import { $, AT_WINDOW, EN, Live, PAGE, T, fmt, minutes, noOpenWindow, params, showOnline } from "./hallq-live.js";

const id = PAGE.ticket_id;
const token = params.get("token") || "";
const STATUS_EVERY_MS = 60000;
const NO_WINDOW_EVERY_MS = 10000;
// States in which a call may still come.
const MAY_BE_CALLED = ["waiting", "called", "held"];
// ahead: the people ahead as last heard (channel or status answer); aheadNews counts the
// channel's word on it, so a status answer asked before the latest word does not undo it.
const state = { ticket: null, status: null, rated: false, ahead: null, aheadNews: 0, alerts: null, alerted: 0 };
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
  const noWindow = Boolean(s) && noOpenWindow(s);
  $("wait-line").hidden = noWindow;
  $("no-window").hidden = !noWindow;
  $("wait").textContent = s && !noWindow ? minutes(waitSeconds(s, ahead)) : "-";
  $("alerts").hidden = Boolean(state.alerts) || !MAY_BE_CALLED.includes(t.state);
  $("alerts-on").hidden = !state.alerts || !MAY_BE_CALLED.includes(t.state);
  $("rate").hidden = !(t.state === "done" && !state.rated);
  $("thanks").hidden = !state.rated;
  const call = t.state === "called" ? `${t.window}:${t.called_at}:${t.recall_count ?? 0}` : null;
  if (call && call !== lastCall) alertVisitor();
  lastCall = call;
}

// A tone on the page's audio context (made during the visitor's tap, so it may play).
function tone(seconds) {
  const ctx = state.alerts;
  if (!ctx) return;
  if (ctx.state === "suspended") ctx.resume();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = 880;
  gain.gain.value = 0.3;
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  osc.stop(ctx.currentTime + seconds);
}

// The visitor's tap: from now on a call may vibrate and ring. A short buzz and tone say it works.
function enableAlerts() {
  try {
    state.alerts = new (window.AudioContext || window.webkitAudioContext)();
  } catch {
    state.alerts = { state: "closed" }; // no audio on this phone: vibration only
  }
  navigator.vibrate?.(80);
  try {
    tone(0.15);
  } catch {
    /* no audio */
  }
  render();
}
$("enable-alerts").addEventListener("click", enableAlerts);

function alertVisitor() {
  if (!state.alerts) return; // not before the tap: the browser would refuse (and log an error)
  state.alerted += 1;
  navigator.vibrate?.([400, 200, 400]);
  try {
    tone(0.4);
  } catch {
    /* no audio */
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
      // The ticket itself changed, or the channel says whether a window serves it now (a server
      // that carries it): worth a status answer. A moving line is drawn above.
      const windowNews = msg.no_open_window !== undefined && msg.no_open_window !== state.status?.no_open_window;
      if (msg.ticket || windowNews) fetchStatus();
    },
    status: showOnline,
  }).start();
  const again = () => {
    const waiting = (state.ticket || state.status).state === "waiting";
    if (waiting) fetchStatus().catch(() => {});
    setTimeout(again, state.status && noOpenWindow(state.status) ? NO_WINDOW_EVERY_MS : STATUS_EVERY_MS);
  };
  setTimeout(again, state.status && noOpenWindow(state.status) ? NO_WINDOW_EVERY_MS : STATUS_EVERY_MS);
}
