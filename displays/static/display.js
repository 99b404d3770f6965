// 综合屏: the latest calls, every window's current number, waiting counts, a scrolling notice,
// and each call (and recall) announced by voice.
import { $, AT_WINDOW, EN, Live, PAGE, T, fmt, params, serviceNames, showOnline } from "./hallq-live.js";
import { fitGrid } from "./fit.js";
import { isLunch, lunchTo } from "./lunch.js";
import { showTokenRefused } from "./screen.js";
import { VoiceQueue } from "./voice.js";

const hall = PAGE.hall;
const names = serviceNames(hall);
const voice = new VoiceQueue({ repeat: PAGE.repeat, chime: params.get("chime") !== "0" });
window.hallqVoice = voice;

const state = { windows: new Map(), waiting: {}, calls: [] };
const RECENT = 8;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function renderCalls() {
  const latest = $("latest");
  latest.replaceChildren();
  const [first, ...rest] = state.calls;
  if (first) {
    latest.append(el("span", "number", first.number), el("span", "to", fmt(T.window_n, { n: first.window })));
    latest.classList.remove("flash");
    void latest.offsetWidth;
    latest.classList.add("flash");
  } else {
    latest.append(el("span", "none", T.no_calls));
  }
  $("recent").replaceChildren(
    ...rest.slice(0, RECENT).map((c) => {
      const li = el("li");
      li.append(el("span", "number", c.number), el("span", "to", fmt(T.window_n, { n: c.window })));
      return li;
    }),
  );
}

// Tiles as many as the windows, as large as the screen allows (the grid's columns follow its size).
const relayWindows = fitGrid($("windows"), () => state.windows.size, 0.5, 0.19);

function renderWindows() {
  const grid = $("windows");
  const before = grid.children.length;
  grid.replaceChildren(
    ...[...state.windows.values()].map((w) => {
      const current = w.current && AT_WINDOW.includes(w.current.state) ? w.current.number : "";
      // No ticket: the window's state in words (空闲 / 暂停 / 未开放), never a bare dash.
      const word = w.state === "open" ? (current ? "" : "idle") : w.state;
      const lunch = w.state === "paused" && isLunch(w.pause_reason);
      const card = el("div", `win ${w.state}${word === "idle" ? " idle" : ""}${lunch ? " lunch" : ""}`);
      card.dataset.window = w.number;
      card.append(el("span", "win-no", String(w.number)));
      if (lunch) {
        // On lunch: where its visitors go instead, if the pause says.
        const to = lunchTo(w.pause_reason);
        card.append(el("span", "win-current word", to ? fmt(T.tile_lunch_to, { n: to }) : T.tile_lunch));
        return card;
      }
      card.append(el("span", word ? "win-current word" : "win-current", word ? T[`win_${word}`] : current));
      return card;
    }),
  );
  if (grid.children.length !== before) relayWindows();
}

function renderWaiting() {
  const rows = hall.services.map((s) => {
    const li = el("li");
    li.dataset.service = s.code;
    li.append(el("span", "code", s.code), el("span", "name", names[s.code]), el("span", "count", String(state.waiting[s.code] ?? 0)));
    return li;
  });
  $("waiting").replaceChildren(...rows);
}

function announce(call) {
  voice.say(fmt(T.announce, { number: call.number, window: call.window }));
}

// Calls learned on a resume (replayed after a reconnect) are shown, and announced only while they
// still wait for their visitor: called at most this long before the server's clock (the resume's
// `now`), the ticket still called at that window. Once each (its last call), in order.
const RESUME_ANNOUNCE_MS = 2 * 60 * 1000;
let missed = [];

function announceMissed(now) {
  const last = new Map();
  for (const c of missed) {
    last.delete(c.ticket_id); // a ticket called again takes the place of its last call
    last.set(c.ticket_id, c);
  }
  missed = [];
  for (const c of last.values()) {
    const current = state.windows.get(c.window)?.current;
    const waiting = current?.id === c.ticket_id && current.state === "called";
    if (waiting && now - Date.parse(c.at) <= RESUME_ANNOUNCE_MS) announce(c);
  }
}

const live = new Live(`/ws/halls/${encodeURIComponent(hall.slug)}?access_token=${encodeURIComponent(params.get("token") || "")}`, {
  snapshot(msg) {
    missed = []; // calls in a snapshot are shown, never announced
    state.windows = new Map(msg.windows.map((w) => [w.number, w]));
    state.waiting = { ...msg.waiting };
    state.calls = msg.calls.slice(0, RECENT + 1);
    renderCalls();
    renderWindows();
    renderWaiting();
  },
  event(msg) {
    for (const w of msg.windows || []) state.windows.set(w.number, w);
    if (msg.waiting) Object.assign(state.waiting, msg.waiting);
    if (msg.call && msg.call.number) {
      state.calls = [msg.call, ...state.calls].slice(0, RECENT + 1);
      renderCalls();
      if (msg.replayed) missed.push(msg.call);
      else announce(msg.call);
    }
    if (msg.windows) renderWindows();
    if (msg.waiting) renderWaiting();
  },
  resumed(head) {
    announceMissed(Date.parse(head.now));
  },
  status: showOnline,
  closed(code) {
    if (code === 4401 || code === 4403) return showTokenRefused();
    $("offline").textContent = `${T.error} (${code})`;
    $("offline").hidden = false;
  },
}, { resume: true });
// Without a token the page already says what it needs (and how a manager makes one): no connection.
if (PAGE.has_token) live.start();
window.hallqLive = live;

function tick() {
  const now = new Date();
  $("clock").textContent = now.toLocaleString(EN ? "en-GB" : "zh-CN", { dateStyle: "medium", timeStyle: "short", hour12: false });
}
tick();
setInterval(tick, 10000);

async function notices() {
  try {
    const r = await fetch(`/api/halls/${encodeURIComponent(hall.slug)}/notices`);
    const body = await r.json();
    const texts = body.notices.map((n) => (EN && n.text_en) || n.text_zh);
    $("notice").textContent = texts.join("　　　") || (EN ? hall.name_en : `欢迎光临${hall.name_zh}`);
  } catch {
    /* keep the last text */
  }
}
notices();
setInterval(notices, 60000);

// Browsers may keep audio off until someone touches the screen (kiosk mode: --autoplay-policy=no-user-gesture-required).
try {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (Ctx && voice.chime) {
    voice.audio = new Ctx();
    if (voice.audio.state === "suspended") {
      const btn = $("sound-on");
      btn.hidden = false;
      btn.onclick = () => {
        voice.audio.resume();
        btn.hidden = true;
      };
    }
  }
} catch {
  /* no audio */
}
