// The manager dashboard: sign in (session cookie + CSRF token), then follow the hall
// channel live, draw the windows, queues, alerts and today's KPIs, and act on windows.
import { Live, T, PAGE, $, api as request, fmt } from "/static/displays/hallq-live.js";
import { EN, LOCALE, esc, localDate } from "./dashboard-util.js";
import { deviceName, groupByLine, isProblem, renderDevices, stateOf } from "./dashboard-devices.js";
import { Ratings, overdue, renderFollowUps, renderRatings } from "./dashboard-ratings.js";
import { RosterNow } from "./dashboard-staffing.js";
import { showCityLink } from "./nav-city.js";

const HALL = PAGE.hall.slug;
const SERVICES = Object.fromEntries(PAGE.hall.services.map((s) => [s.code, s]));
const IDLE_ALERT_MS = 60_000;

const state = {
  csrf: null,
  operates: true, // may open and close windows (not a city manager)
  day: null, // the hall's business day, from the server's snapshot ("YYYY-MM-DD")
  windows: new Map(), // number -> window view (its idle_since comes from the server)
  seen: new Map(), // number -> ms this page first saw the window idle without the server's time
  waiting: {}, // service -> count
  tickets: new Map(), // waiting ticket id -> {service, number, issued_at}
  kpis: null,
  live: null,
  staff: [], // the hall's staff list from GET …/snapshot: [{login, name, skills}]
  devices: new Map(), // serial device id -> health {id, kind, window, state, error, since, line?}
  openedLines: new Map(), // serial line id -> opened (true) or closed by the manager
  ratings: null,
  rosterNow: null, // who the roster has at each window now, and who is missing (缺岗)
  skew: 0, // the server's clock minus this browser's, in ms: minutes count in the server's time
};

// The one clock is the server's: a hall PC's own clock may be minutes off.
const serverNow = () => Date.now() + state.skew;
async function readServerClock() {
  try {
    const sent = Date.now();
    const r = await fetch("/healthz", { cache: "no-store" });
    const at = Date.parse(r.headers.get("Date")); // whole seconds: take the middle of the second
    if (!Number.isNaN(at)) state.skew = at + 500 - (sent + Date.now()) / 2;
  } catch (e) { /* keep the last estimate */ }
}
const serviceName = (code) => {
  const s = SERVICES[code];
  return s ? `${code} ${EN ? s.name_en : s.name_zh}` : code;
};
const staffName = (login) => (login ? PAGE.staff[login] || login : "");
const mins = (ms) => Math.max(0, Math.floor(ms / 60000));

const api = (method, path, body) => request(method, path, body, state.csrf ? { "X-CSRF-Token": state.csrf } : {});

// -- sign in ------------------------------------------------------------------

async function start() {
  if (!PAGE.signed_in) {
    $("login").hidden = false;
    return;
  }
  try {
    const me = await api("GET", "/api/auth/me");
    signedIn(me);
  } catch (e) {
    $("login").hidden = false;
  }
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  $("login-error").hidden = true;
  try {
    const r = await api("POST", "/api/auth/login", { username: $("username").value, password: $("password").value });
    signedIn({ ...r.user, csrf_token: r.csrf_token });
  } catch (e) {
    $("login-error").textContent = `${T.login_failed}: ${e.message}`;
    $("login-error").hidden = false;
  }
});

function signedIn(me) {
  state.csrf = me.csrf_token;
  // A city manager supervises the halls below and manages them, but opens or closes no window
  // (each hall's own staff do; the server refuses it): the card shows no open/close control.
  state.operates = me.role !== "city";
  showCityLink(me, HALL);
  $("who").textContent = me.name;
  $("login").hidden = true;
  $("board").hidden = false;
  state.live = new Live(`/ws/halls/${HALL}`, {
    snapshot: onSnapshot,
    event: onEvent,
    status: (online) => ($("offline").hidden = online),
  }).start();
  state.ratings = new Ratings(api, drawRatings);
  state.rosterNow = new RosterNow(api, changed).start();
  loadStaff();
  refreshKpis();
  setInterval(refreshKpis, 30_000);
  setInterval(render, 1000); // the clock and the minutes move
}

// -- live state ---------------------------------------------------------------

function setWindow(w) {
  state.windows.set(w.number, w);
  if (w.idle_since || w.current) state.seen.delete(w.number);
  else if (!state.seen.has(w.number)) state.seen.set(w.number, serverNow());
}

// Since when an open window has been free: the server's time (the window view's idle_since);
// only a server too old to send it leaves the time this page first saw the window free.
const idleSince = (w) => (w.idle_since ? Date.parse(w.idle_since) : state.seen.get(w.number) ?? serverNow());

async function onSnapshot(msg) {
  readServerClock();
  const newDay = msg.business_day !== state.day;
  state.day = msg.business_day;
  state.windows.clear();
  msg.windows.forEach(setWindow);
  state.waiting = { ...msg.waiting };
  state.devices = new Map((msg.devices || []).map((d) => [d.id, d]));
  drawDevices();
  changed();
  loadRatings();
  if (newDay) refreshKpis();
  try {
    const extra = await api("GET", `/api/halls/${HALL}/reports/live`);
    state.tickets = new Map(extra.waiting_tickets.map((t) => [t.id, t]));
  } catch (e) { /* the grid still works */ }
  changed();
}

let kpiTimer = null;
function onEvent(msg) {
  (msg.windows || []).forEach(setWindow);
  if (msg.waiting) Object.assign(state.waiting, msg.waiting);
  const ev = msg.event;
  const at = Date.parse(ev.at); // a fresh event tells the server's time to the millisecond
  if (!Number.isNaN(at) && Math.abs(at - serverNow()) > 2000) state.skew = at - Date.now();
  const t = ev.detail?.ticket;
  if (t) {
    if (t.state === "waiting") state.tickets.set(t.id, { id: t.id, number: t.number, service: t.service, issued_at: t.issued_at });
    else state.tickets.delete(t.id);
  }
  if (ev.kind === "device.health" && ev.detail?.device) {
    state.devices.set(ev.detail.device.id, ev.detail.device);
    drawDevices();
  }
  if ((ev.kind === "evaluation.submit" || ev.kind === "evaluation.follow_up") && ev.detail?.evaluation) {
    state.ratings.apply(ev.detail.evaluation, ev.detail.ticket?.number);
  }
  if (ev.kind.startsWith("case.")) state.ratings.caseChanged(ev.detail?.case, ev.at); // 回访 cases
  if (ev.kind.startsWith("ticket.") || ev.kind === "evaluation.submit") {
    clearTimeout(kpiTimer);
    kpiTimer = setTimeout(refreshKpis, 2000);
  }
  changed();
}

// The clerks a manager may open a window for (the REST snapshot carries the hall's staff list).
async function loadStaff() {
  try {
    const snap = await api("GET", `/api/halls/${HALL}/snapshot`);
    state.staff = snap.staff || [];
  } catch (e) {
    state.staff = Object.entries(PAGE.staff).map(([login, name]) => ({ login, name, skills: [] }));
  }
  document.querySelectorAll("#windows .staff-select").forEach(fillStaff);
}

function fillStaff(select) {
  const chosen = select.value;
  select.innerHTML = `<option value="">${esc(T.clerk_pick)}</option>` + state.staff
    .map((m) => `<option value="${esc(m.login)}">${esc(m.name || m.login)}${m.skills.length ? ` (${esc(m.skills.join(","))})` : ""}</option>`)
    .join("");
  select.value = state.staff.some((m) => m.login === chosen) ? chosen : "";
}

async function loadRatings() {
  try {
    await state.ratings.load(state.day);
  } catch (e) { /* the next snapshot reads them again */ }
}

function drawRatings() {
  if (!state.day) return;
  renderFollowUps(state.ratings, state.ratings.open(), state.day, serviceName);
  renderRatings(state.ratings.today(state.day), state.day, serviceName);
  const open = state.ratings.open();
  const late = open.filter((e) => overdue(e, state.day)).length;
  badge("badge-ratings", open.length, late > 0);
  changed(); // the alerts follow the lists
}

function drawDevices() {
  renderDevices($("devices"), [...state.devices.values()], state.day, state.openedLines);
  const problems = [...state.devices.values()].filter(isProblem);
  badge("badge-devices", problems.length, problems.some((d) => stateOf(d) === "offline"));
}

function badge(id, count, red) {
  const el = $(id);
  el.textContent = count ? String(count) : "";
  el.classList.toggle("red", red);
}

async function refreshKpis() {
  try {
    state.kpis = await api("GET", `/api/halls/${HALL}/reports/daily`);
    renderKpis();
  } catch (e) { /* keep the last figures */ }
}

// -- drawing ------------------------------------------------------------------

function longestWaits(now) {
  const longest = {};
  for (const t of state.tickets.values()) {
    const m = mins(now - Date.parse(t.issued_at));
    if (longest[t.service] === undefined || m > longest[t.service]) longest[t.service] = m;
  }
  return longest;
}

const level = (m) => (m >= PAGE.thresholds.red ? "red" : m >= PAGE.thresholds.yellow ? "yellow" : "green");

// The board is drawn every second (the clock and the minutes move) and, when the live channel
// changed something (dirty), at the next frame: a burst of events, or a snapshot and the read
// that follows it, costs one drawing instead of one each.
let dirty = false;
function changed() {
  if (dirty) return;
  dirty = true;
  requestAnimationFrame(() => dirty && render());
}

function render() {
  dirty = false;
  const now = serverNow();
  $("clock").textContent = new Date(now).toLocaleTimeString(LOCALE, { hour12: false, timeZone: PAGE.timezone });
  renderWindows(now);
  const longest = longestWaits(now);
  renderQueues(longest);
  renderAlerts(now, longest);
}

function renderWindows(now) {
  const grid = $("windows");
  for (const w of [...state.windows.values()].sort((a, b) => a.number - b.number)) {
    let card = grid.querySelector(`[data-window="${w.number}"]`);
    if (!card) {
      card = document.createElement("div");
      card.dataset.window = w.number;
      card.innerHTML = `<div class="win-head"><span>${esc(fmt(T.window_n, { n: w.number }))}</span><span class="win-state"></span></div>
        <div class="win-sub"><span class="win-staff"></span><span class="win-minutes"></span></div><div class="win-current"></div>
        <div class="win-services"></div>
        <div class="win-actions"><select class="staff-select" title="${esc(T.clerk)}"></select><button class="toggle"></button>
          <input class="services-input" title="${esc(T.services)}"><button class="secondary save-services">${esc(T.save)}</button></div>`;
      fillStaff(card.querySelector(".staff-select"));
      card.querySelector(".toggle").addEventListener("click", () => toggle(w.number, card));
      card.querySelector(".save-services").addEventListener("click", () => saveServices(w.number, card));
      grid.appendChild(card);
    }
    card.className = `win ${w.state}`;
    card.querySelector(".win-state").textContent = T[`state_${w.state}`] || w.state;
    const unrostered = Boolean(w.staff && state.rosterNow?.unrostered(w.number));
    card.querySelector(".win-staff").textContent = staffName(w.staff) + (unrostered ? ` · ${T.unrostered}` : "");
    card.classList.toggle("unrostered", unrostered);
    const cur = card.querySelector(".win-current");
    // Who is at the window, or since when it has been free (the server's time), or why it is paused.
    cur.textContent = w.current ? w.current.number
      : w.state === "open" ? fmt(T.idle_for, { m: mins(now - idleSince(w)) })
      : w.state === "paused" ? w.pause_reason || T.state_paused : "—";
    cur.classList.toggle("idle", !w.current);
    card.querySelector(".win-minutes").textContent =
      w.current && w.current.called_at ? fmt(T.in_service, { m: mins(now - Date.parse(w.current.called_at)) }) : "";
    const services = Object.entries(w.services || {}).map(([c, wt]) => (wt === 1 ? c : `${c}:${wt}`)).join(",");
    card.querySelector(".win-services").textContent = `${T.services}: ${services}`;
    const input = card.querySelector(".services-input");
    if (document.activeElement !== input && input.dataset.shown !== services) {
      input.value = services;
      input.dataset.shown = services;
    }
    card.querySelector(".toggle").textContent = w.state === "closed" ? T.open : T.close;
    card.querySelector(".toggle").hidden = !state.operates;
    card.querySelector(".staff-select").hidden = w.state !== "closed" || !state.operates;
  }
}

function renderQueues(longest) {
  const rows = Object.keys(SERVICES).filter((c) => (state.waiting[c] || 0) > 0 || longest[c] !== undefined);
  const body = $("queues").querySelector("tbody");
  body.innerHTML = rows.map((c) => {
    const m = longest[c] ?? 0;
    return `<tr data-service="${esc(c)}"><td><span class="lvl ${level(m)}"></span></td><td>${esc(serviceName(c))}</td>
      <td class="n waiting">${state.waiting[c] || 0}${esc(T.people)}</td>
      <td class="n longest">${esc(T.longest)} ${m} ${esc(T.minutes)}</td></tr>`;
  }).join("") || `<tr><td>${esc(T.waiting)} 0</td></tr>`;
}

function renderAlerts(now, longest) {
  const items = state.rosterNow ? state.rosterNow.alerts(state.day) : [];
  for (const [c, m] of Object.entries(longest)) {
    if (m >= PAGE.thresholds.yellow) items.push({ cls: level(m), text: fmt(T.alert_wait, { service: serviceName(c), m }) });
  }
  for (const w of state.windows.values()) {
    if (w.state !== "open" || w.current) continue;
    const count = Object.keys(w.services || {}).reduce((n, c) => n + (state.waiting[c] || 0), 0);
    if (count > 0 && now - idleSince(w) >= IDLE_ALERT_MS)
      items.push({ cls: "yellow idle", text: fmt(T.alert_idle, { n: w.number, count }), window: w.number });
  }
  // A 差评 of today stays an alert until its follow-up is recorded; an overdue follow-up too.
  for (const e of state.ratings && state.day ? state.ratings.open() : []) {
    if (overdue(e, state.day)) items.push({ cls: "red overdue", text: fmt(T.alert_overdue, { number: e.number || `#${e.ticket_id}`, due: e.follow_up_due }) });
    else if (localDate(e.at) === state.day) items.push({ cls: "red bad", text: fmt(T.alert_bad, { n: e.window ?? "?", score: e.score }) });
  }
  items.push(...deviceAlerts());
  const attr = (a) => (a.device ? ` data-device="${esc(a.device)}"` : a.line ? ` data-line="${esc(a.line)}"` : a.window ? ` data-window="${a.window}"` : "");
  $("alerts").innerHTML = items.length
    ? items.map((a) => `<li class="${a.cls}"${attr(a)}>${esc(a.text)}</li>`).join("")
    : `<li class="none">${esc(T.no_alerts)}</li>`;
}

function renderKpis() {
  const k = state.kpis;
  if (!k) return;
  const m = (s) => (s == null ? "—" : `${Math.round(s / 60)}`);
  const sat = k.satisfaction;
  const cells = [
    ["issued", k.issued, T.issued], ["served", k.served, T.served], ["no_show", k.no_show, T.no_show],
    ["cancelled", k.cancelled, T.cancelled], ["wait_mean", m(k.wait_mean_s), `${T.wait_mean}(${T.minutes})`],
    ["wait_p90", m(k.wait_p90_s), `${T.wait_p90}(${T.minutes})`],
    ["service_mean", m(k.service_mean_s), `${T.service_mean}(${T.minutes})`],
    ["satisfaction", sat.satisfied_share == null ? "—" : `${Math.round(sat.satisfied_share * 100)}%`, T.satisfaction],
    ["bad", sat.bad, T.bad],
    ["not_rated", sat.not_rated ?? 0, T.not_rated],
  ];
  $("kpis").innerHTML = cells.map(([id, v, label]) => `<div class="kpi" data-kpi="${id}"><b>${esc(v)}</b><span>${esc(label)}</span></div>`).join("");
  $("chart").innerHTML = chart(k.quarters);
}

// Grouped bars per quarter hour: arrivals (blue) and served (green), drawn as inline SVG.
function chart(quarters) {
  const W = 520, H = 150, pad = 22;
  if (!quarters.length) return `<svg viewBox="0 0 ${W} ${H}" role="img"></svg>`;
  const max = Math.max(1, ...quarters.map((q) => Math.max(q.arrivals, q.served)));
  const slot = (W - pad) / Math.max(quarters.length, 12); // a short morning keeps slim bars
  const bw = Math.max(1, slot / 2 - 1);
  const y = (v) => H - pad - (v / max) * (H - 2 * pad);
  let out = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(T.chart)}">`;
  out += `<line x1="${pad}" y1="${H - pad}" x2="${W}" y2="${H - pad}" stroke="#27405f"/>`;
  out += `<text x="2" y="${pad}" fill="#8fa3bd" font-size="10">${max}</text>`;
  quarters.forEach((q, i) => {
    const x = pad + i * slot;
    out += `<rect class="bar-arrivals" x="${x}" y="${y(q.arrivals)}" width="${bw}" height="${H - pad - y(q.arrivals)}" fill="#2f6fd0"><title>${q.at} ${T.arrivals} ${q.arrivals}</title></rect>`;
    out += `<rect class="bar-served" x="${x + bw}" y="${y(q.served)}" width="${bw}" height="${H - pad - y(q.served)}" fill="#2e9d5b"><title>${q.at} ${T.served} ${q.served}</title></rect>`;
    if (i % Math.ceil(quarters.length / 8) === 0) out += `<text x="${x}" y="${H - 6}" fill="#8fa3bd" font-size="10">${q.at}</text>`;
  });
  out += `<rect x="${W - 150}" y="4" width="10" height="10" fill="#2f6fd0"/><text x="${W - 136}" y="13" fill="#e8eef6" font-size="11">${esc(T.arrivals)}</text>`;
  out += `<rect x="${W - 80}" y="4" width="10" height="10" fill="#2e9d5b"/><text x="${W - 66}" y="13" fill="#e8eef6" font-size="11">${esc(T.served)}</text>`;
  return out + "</svg>";
}

// -- actions ------------------------------------------------------------------

async function toggle(n, card) {
  const w = state.windows.get(n);
  const action = w && w.state === "closed" ? "open" : "close";
  // Opening: for the clerk picked in the card's list (none picked: in the manager's own name).
  const clerk = action === "open" ? card.querySelector(".staff-select").value : "";
  try {
    await api("POST", `/api/halls/${HALL}/windows/${n}/${action}`, clerk ? { staff: clerk } : undefined);
  } catch (e) {
    alert(`${T.error}: ${e.message}`);
  }
}

async function saveServices(n, card) {
  const services = {};
  for (const part of card.querySelector(".services-input").value.split(/[,，\s]+/).filter(Boolean)) {
    const [code, weight] = part.split(/[:：]/);
    services[code.trim().toUpperCase()] = weight ? Number(weight) : 1;
  }
  try {
    await api("PUT", `/api/halls/${HALL}/windows/${n}/services`, { services });
  } catch (e) {
    alert(`${T.error}: ${e.message}`);
  }
}

$("notice-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = { text_zh: $("notice-zh").value.trim() };
  const en = $("notice-en").value.trim();
  if (en) body.text_en = en;
  try {
    await api("POST", `/api/halls/${HALL}/notices`, body);
    $("notice-status").textContent = T.published;
    $("notice-zh").value = "";
    $("notice-en").value = "";
  } catch (e) {
    $("notice-status").textContent = `${T.error}: ${e.message}`;
  }
});

// One alert per offline device; a line with several offline is one alert for the line.
function deviceAlerts() {
  const out = [];
  const byWindow = (a, b) => (a.window ?? Infinity) - (b.window ?? Infinity) || a.id.localeCompare(b.id);
  for (const g of groupByLine([...state.devices.values()])) {
    const offline = g.devices.filter((d) => stateOf(d) === "offline").sort(byWindow);
    if (offline.length > 1 && g.id) {
      const text = fmt(g.error ? T.alert_line_offline_error : T.alert_line_offline, { line: g.id, n: offline.length, error: g.error });
      out.push({ cls: "red device", text, line: g.id });
      continue;
    }
    for (const d of offline) {
      const text = fmt(d.error ? T.alert_device_error : T.alert_device, { name: deviceName(d), error: d.error });
      out.push({ cls: "red device", text, device: d.id });
    }
  }
  return out;
}

// Queues, ratings, devices and the chart share one place on a small screen: a tab each.
function showTab(name) {
  document.querySelectorAll(".tabs .tab").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === name)));
  document.querySelectorAll(".pane").forEach((p) => p.classList.toggle("active", p.dataset.pane === name));
}
document.querySelectorAll(".tabs .tab").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));

window.hallqDashboard = state;
start();
