// The screen above one window: its number, the current ticket, or the window's state in words.
import { $, AT_WINDOW, EN, Live, PAGE, T, fmt, params, serviceNames, showOnline } from "./hallq-live.js";
import { isLunch, lunchTo, reasonIn } from "./lunch.js";
import { showTokenRefused } from "./screen.js";

const hall = PAGE.hall;
const names = serviceNames(hall);
const state = { window: null, waiting: {} };

function render() {
  const w = state.window;
  if (!w) return;
  document.body.dataset.state = w.state;
  $("staff").textContent = w.state !== "closed" && w.staff ? PAGE.staff[w.staff] || w.staff : "";
  const current = w.state === "open" && w.current && AT_WINDOW.includes(w.current.state) ? w.current : null;
  // At lunch: 午休中 where the number goes and, as large as fits, where to go instead.
  const lunch = w.state === "paused" && isLunch(w.pause_reason);
  document.body.classList.toggle("lunch", lunch);
  if (lunch) {
    const to = lunchTo(w.pause_reason);
    $("current").textContent = T.on_lunch;
    $("current").className = "current word paused lunch";
    $("status").textContent = to ? fmt(T.lunch_go_to, { n: to }) : T.lunch_elsewhere;
    $("status").className = "status go";
    return renderWaiting();
  }
  $("status").className = "status";
  // No ticket: 空闲 / 暂停 / 未开放 where the number goes (a bare dash or bar reads as an error).
  const word = current ? "" : w.state === "open" ? "idle" : w.state;
  $("current").textContent = current ? current.number : T[`win_${word}`];
  $("current").className = current ? "current" : `current word ${word}`;
  $("status").textContent = current ? `${T[`state_${current.state}`]} · ${names[current.service] || ""}` : (w.state === "paused" && reasonIn(w.pause_reason, EN)) || "";
  renderWaiting();
}

function renderWaiting() {
  const total = Object.values(state.waiting).reduce((a, b) => a + b, 0);
  $("waiting").textContent = `${T.waiting} ${total} ${T.people}`;
}

const live = new Live(`/ws/halls/${encodeURIComponent(hall.slug)}/windows/${PAGE.window}?access_token=${encodeURIComponent(params.get("token") || "")}`, {
  snapshot(msg) {
    state.window = msg.window;
    state.waiting = { ...msg.waiting };
    render();
  },
  event(msg) {
    if (msg.window) state.window = msg.window;
    if (msg.waiting) Object.assign(state.waiting, msg.waiting);
    render();
  },
  status: showOnline,
  closed(code) {
    if (code === 4401 || code === 4403) showTokenRefused();
  },
});
// Without a token the page already says what it needs (and how a manager makes one).
if (PAGE.has_token) live.start();
