// The clerk console (窗口人员工作台): sign in, pick a window, work it with buttons or keys.
// HTTP: the public API with the session cookie, X-CSRF-Token on every POST.
// Live state: the window channel (/ws/halls/{hall}/windows/{n}), authenticated by the cookie.
import { $, EN, Live, PAGE, T, fmt, showOnline } from "/static/displays/hallq-live.js";
import { reasonIn } from "/static/displays/lunch.js";
import { Duties } from "./duties.js";

const S = { csrf: null, me: null, hall: null, number: null, window: null, waiting: {}, desk: null, live: null, day: null, modal: null };

// -- HTTP ---------------------------------------------------------------------

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && S.csrf) headers["X-CSRF-Token"] = S.csrf;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  if (r.status === 204) return null;
  let data = null;
  try { data = await r.json(); } catch { data = null; }
  if (!r.ok) {
    const err = new Error(data?.error?.message || `HTTP ${r.status}`);
    err.status = r.status;
    throw err;
  }
  return data;
}

function showError(message) {
  $("error-text").textContent = `${T.error}: ${message}`;
  $("error").hidden = false;
}
function clearError() { $("error").hidden = true; }
$("error-close").addEventListener("click", clearError);

async function guarded(fn, { login = false } = {}) {
  try {
    clearError();
    return await fn();
  } catch (e) {
    if (e.status === 401 && !login) return showLogin();
    showError(e.message);
  }
}

// -- screens ------------------------------------------------------------------

function show(id) {
  for (const s of ["login", "picker", "console"]) $(s).hidden = s !== id;
  $("logout").hidden = id === "login";
  $("change-window").hidden = id !== "console";
  duties.render();
}

function showLogin() {
  if (S.live) S.live.stop();
  S.live = null;
  duties.data = null;
  duties.render();
  show("login");
  $("username").focus();
}

const svcName = (code) => {
  const s = S.hall?.services.find((x) => x.code === code);
  return s ? (EN ? s.name_en : s.name_zh) : code;
};

async function signedIn(me) {
  S.me = me;
  S.csrf = me.csrf_token || S.csrf;
  $("who").textContent = me.name;
  const slug = me.hall || PAGE.hall;
  if (!slug) return showError(T.need_hall);
  S.hall = await api("GET", `/api/halls/${encodeURIComponent(slug)}`);
  $("hall-name").textContent = EN ? S.hall.name_en : S.hall.name_zh;
  duties.load(slug);
  const saved = Number(sessionStorage.getItem(`hallq-counter-window:${slug}`));
  const snap = await api("GET", `/api/halls/${encodeURIComponent(slug)}/snapshot`);
  const mine = snap.windows.find((w) => w.staff === me.name && w.state !== "closed");
  if (mine) return enter(mine.number);
  if (saved && snap.windows.some((w) => w.number === saved && w.staff === me.name && w.state !== "closed")) return enter(saved);
  showPicker(snap.windows);
}

function showPicker(windows) {
  const box = $("windows");
  box.replaceChildren();
  for (const w of windows) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "big window-choice";
    b.dataset.window = w.number;
    const busy = w.state !== "closed" && w.staff && w.staff !== S.me.name;
    b.disabled = Boolean(busy);
    const services = Object.keys(w.services || {}).map(svcName).join("、");
    b.innerHTML = `<strong></strong><small></small><small></small>`;
    b.children[0].textContent = fmt(T.window_n, { n: w.number });
    b.children[1].textContent = services;
    b.children[2].textContent = T[`win_${w.state}`] + (w.staff ? ` · ${w.staff}` : "");
    b.addEventListener("click", () => guarded(async () => {
      if (!(w.state !== "closed" && w.staff === S.me.name)) {
        await api("POST", `/api/halls/${encodeURIComponent(S.hall.slug)}/windows/${w.number}/open`);
      }
      enter(w.number);
    }));
    box.append(b);
  }
  show("picker");
}

function enter(number) {
  S.number = number;
  sessionStorage.setItem(`hallq-counter-window:${S.hall.slug}`, String(number));
  $("window-name").textContent = fmt(T.window_n, { n: number });
  show("console");
  if (S.live) S.live.stop();
  S.live = new Live(`/ws/halls/${encodeURIComponent(S.hall.slug)}/windows/${number}`, {
    snapshot(msg) {
      S.window = msg.window;
      S.waiting = { ...msg.waiting };
      S.day = msg.business_day;
      render();
      refreshDesk();
    },
    event(msg) {
      if (msg.window) S.window = msg.window;
      if (msg.waiting) Object.assign(S.waiting, msg.waiting);
      render();
      refreshDesk();
    },
    status: showOnline,
    closed(code, reason) {
      if (code === 4401) showLogin();
      else if (code === 4403 || code === 4404) showError(reason || `WebSocket ${code}`);
    },
  }).start();
}

// -- today's counts: the server's, for this window and business day (they come with the desk) --

function today() { return S.desk?.today || { served: 0, no_show: 0 }; }

// -- rendering ----------------------------------------------------------------

let deskTimer = null;
function refreshDesk() {
  clearTimeout(deskTimer);
  deskTimer = setTimeout(() => guarded(async () => {
    S.desk = await api("GET", `/counter/api/halls/${encodeURIComponent(S.hall.slug)}/windows/${S.number}/desk`);
    renderDesk();
    renderToday();
  }), 50);
}

function waitedMinutes(t) {
  const from = Date.parse(t.issued_at);
  const to = t.called_at ? Date.parse(t.called_at) : Date.now();
  return Math.max(0, Math.round((to - from) / 60000));
}

function render() {
  const w = S.window;
  if (!w) return;
  document.body.dataset.state = w.state;
  $("win-state").textContent = T[`win_${w.state}`] + (w.pause_reason ? ` · ${reasonIn(w.pause_reason, EN)}` : "");
  const cur = w.current && ["called", "serving"].includes(w.current.state) ? w.current : null;
  $("current-number").textContent = cur ? cur.number : "—";
  $("current-number").dataset.ticket = cur ? cur.id : "";
  $("current-service").textContent = cur ? svcName(cur.service) : T.no_current;
  $("current-state").textContent = cur ? T[`state_${cur.state}`] : "";
  $("current-state").dataset.state = cur ? cur.state : "";
  $("current-waited").textContent = cur ? fmt(T.waited, { m: waitedMinutes(cur) }) : "";
  const paused = w.state === "paused";
  $("pause-btn").querySelector("span").textContent = paused ? T.resume : T.pause;
  $("pause-btn").dataset.action = paused ? "resume" : "pause";
  const enable = { "call-next": w.state === "open" && !cur, recall: cur?.state === "called", start: cur?.state === "called",
    finish: Boolean(cur), "no-show": cur?.state === "called", hold: Boolean(cur), transfer: Boolean(cur),
    "call-ticket": w.state === "open" && !cur, pause: w.state === "open", resume: paused, close: w.state !== "closed" };
  for (const b of document.querySelectorAll("#actions [data-action]")) b.disabled = !enable[b.dataset.action];
  const list = $("waiting-counts");
  list.replaceChildren();
  let total = 0;
  for (const [code, n] of Object.entries(S.waiting)) {
    total += n;
    const li = document.createElement("li");
    li.dataset.service = code;
    li.innerHTML = "<span></span><b></b>";
    li.children[0].textContent = `${code} ${svcName(code)}`;
    li.children[1].textContent = n;
    list.append(li);
  }
  $("waiting-total").textContent = total;
  renderToday();
  duties.render();
}

function renderToday() {
  const t = today();
  $("served").textContent = t.served;
  $("no-shows").textContent = t.no_show;
}

function ticketItem(t, button) {
  const li = document.createElement("li");
  li.dataset.ticket = t.id;
  li.innerHTML = "<b></b><span></span><span></span>";
  li.children[0].textContent = t.number;
  li.children[1].textContent = svcName(t.service);
  li.children[2].textContent = fmt(T.waited, { m: waitedMinutes({ issued_at: t.issued_at }) });
  if (button) li.append(button);
  return li;
}

function renderDesk() {
  const d = S.desk;
  if (!d) return;
  const wl = $("waiting-list");
  wl.replaceChildren(...d.waiting.map((t) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = T.call_ticket;
    b.addEventListener("click", () => callTicket(t));
    return ticketItem(t, b);
  }));
  if (!d.waiting.length) wl.innerHTML = `<li class="none">${T.none}</li>`;
  const hl = $("held-list");
  hl.replaceChildren(...d.held.map((t) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = T.call_back;
    b.addEventListener("click", () => post(`call-back/${t.id}`));
    return ticketItem(t, b);
  }));
  if (!d.held.length) hl.innerHTML = `<li class="none">${T.none}</li>`;
}
setInterval(render, 30000);

// -- actions ------------------------------------------------------------------

function post(action, body) {
  return guarded(async () => {
    const out = await api("POST", `/api/halls/${encodeURIComponent(S.hall.slug)}/windows/${S.number}/${action}`, body);
    if (out?.window) {
      // The answer's window has no current ticket (the channel brings it): keep ours.
      const { current, ...rest } = out.window;
      S.window = { ...S.window, ...rest };
      render();
    }
    if (action === "close") {
      sessionStorage.removeItem(`hallq-counter-window:${S.hall.slug}`);
      if (S.live) S.live.stop();
      S.live = null;
      const snap = await api("GET", `/api/halls/${encodeURIComponent(S.hall.slug)}/snapshot`);
      showPicker(snap.windows);
    }
  });
}

function field(name, label, kind, options) {
  const wrap = document.createElement("label");
  wrap.textContent = label + " ";
  let input;
  if (kind === "select") {
    input = document.createElement("select");
    for (const [value, text] of options) {
      const o = document.createElement("option");
      o.value = value;
      o.textContent = text;
      input.append(o);
    }
  } else {
    input = document.createElement("input");
    input.maxLength = 200;
    if (kind === "required") input.required = true;
  }
  input.name = name;
  wrap.append(input);
  return wrap;
}

function ask(title, fields, submit) {
  $("modal-title").textContent = title;
  $("modal-fields").replaceChildren(...fields);
  S.modal = submit;
  $("modal").hidden = false;
  $("modal-fields").querySelector("input,select")?.focus();
}
function closeModal() { $("modal").hidden = true; S.modal = null; }
$("modal-cancel").addEventListener("click", closeModal);
$("modal-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const values = Object.fromEntries(new FormData($("modal-form")));
  const submit = S.modal;
  closeModal();
  submit?.(values);
});

function callTicket(t) {
  ask(`${T.call_ticket} ${t.number}`, [field("reason", T.reason, "required")], (v) => post(`call/${t.id}`, { reason: v.reason }));
}

const COMMANDS = {
  "call-next": () => post("call-next"),
  recall: () => post("recall"),
  start: () => post("start"),
  finish: () => post("finish"),
  "no-show": () => post("no-show"),
  hold: () => ask(T.hold, [field("reason", T.reason_optional, "text")], (v) => post("hold", v.reason ? { reason: v.reason } : undefined)),
  transfer: () => ask(T.transfer, [
    field("service", T.to_service, "select", [["", "—"], ...S.hall.services.map((s) => [s.code, `${s.code} ${svcName(s.code)}`])]),
    field("window", T.to_window, "select", [["", "—"], ...S.hall.windows.filter((w) => w.number !== S.number).map((w) => [String(w.number), fmt(T.window_n, { n: w.number })])]),
    field("reason", T.reason_optional, "text"),
  ], (v) => {
    const body = {};
    if (v.service) body.service = v.service;
    if (v.window) body.window = Number(v.window);
    if (v.reason) body.reason = v.reason;
    post("transfer", body);
  }),
  "call-ticket": () => {
    const first = S.desk?.waiting?.[0];
    const options = (S.desk?.waiting || []).map((t) => [String(t.id), `${t.number} ${svcName(t.service)}`]);
    if (!first) return showError(T.none);
    ask(T.call_ticket, [field("ticket", T.ticket, "select", options), field("reason", T.reason, "required")],
      (v) => post(`call/${v.ticket}`, { reason: v.reason }));
  },
  pause: () => ask(T.pause, [field("reason", T.reason, "required")], (v) => post("pause", { reason: v.reason })),
  resume: () => post("resume"),
  close: () => { if (confirm(T.confirm_close)) post("close"); },
};

for (const b of document.querySelectorAll("#actions [data-action]")) {
  b.addEventListener("click", () => COMMANDS[b.dataset.action]());
}

const KEYS = { F1: "call-next", " ": "call-next", r: "recall", s: "start", f: "finish", n: "no-show", h: "hold", t: "transfer", g: "call-ticket", c: "close" };
document.addEventListener("keydown", (e) => {
  if ($("console").hidden) return;
  if (!$("modal").hidden) {
    if (e.key === "Escape") closeModal();
    return;
  }
  if (e.ctrlKey || e.altKey || e.metaKey || e.target.closest?.("input,select,textarea")) return;
  let action = KEYS[e.key.length === 1 ? e.key.toLowerCase() : e.key];
  if (e.key.toLowerCase() === "p") action = S.window?.state === "paused" ? "resume" : "pause";
  if (!action) return;
  e.preventDefault();
  const button = document.querySelector(`#actions [data-action="${action}"]`);
  if (button && !button.disabled) COMMANDS[action]();
});

// -- my duties and the lunch handover (duties.js) ---------------------------------

// The banner is about the window this console works, while it works one.
const duties = new Duties({
  api,
  window: () => (S.live && !$("console").hidden ? S.window : null),
  act: (action, body) => post(action, body),
  error: showError,
});

// -- start --------------------------------------------------------------------

$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  guarded(async () => {
    const r = await api("POST", "/api/auth/login", { username: $("username").value, password: $("password").value });
    S.csrf = r.csrf_token;
    $("password").value = "";
    await signedIn({ ...r.user, csrf_token: r.csrf_token });
  }, { login: true });
});
$("logout").addEventListener("click", () => guarded(async () => {
  await api("POST", "/api/auth/logout");
  S.csrf = null;
  showLogin();
}));
$("change-window").addEventListener("click", () => guarded(async () => {
  if (S.live) S.live.stop();
  S.live = null;
  const snap = await api("GET", `/api/halls/${encodeURIComponent(S.hall.slug)}/snapshot`);
  showPicker(snap.windows);
}));

guarded(async () => {
  if (!PAGE.signed_in) return showLogin(); // the server saw no session
  try {
    await signedIn(await api("GET", "/api/auth/me"));
  } catch (e) {
    if (e.status === 401) showLogin();
    else throw e;
  }
});
