// The screen above one window: its number, the current ticket and its status.
import { $, AT_WINDOW, Live, PAGE, T, params, serviceNames, showOnline } from "./hallq-live.js";

const hall = PAGE.hall;
const names = serviceNames(hall);
const state = { window: null, waiting: {} };

function render() {
  const w = state.window;
  if (!w) return;
  document.body.dataset.state = w.state;
  $("staff").textContent = w.staff ? PAGE.staff[w.staff] || w.staff : "";
  const current = w.current && AT_WINDOW.includes(w.current.state) ? w.current : null;
  $("current").textContent = w.state === "open" && current ? current.number : "—";
  $("status").textContent =
    w.state === "open" ? (current ? T[`state_${current.state}`] + " · " + (names[current.service] || "") : "") : T[`win_${w.state}`] + (w.pause_reason ? ` · ${w.pause_reason}` : "");
  const total = Object.values(state.waiting).reduce((a, b) => a + b, 0);
  $("waiting").textContent = `${T.waiting} ${total} ${T.people}`;
}

new Live(`/ws/halls/${encodeURIComponent(hall.slug)}/windows/${PAGE.window}?access_token=${encodeURIComponent(params.get("token") || "")}`, {
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
}).start();
