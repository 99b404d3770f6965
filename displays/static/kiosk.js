// 取号机: pick a service, maybe a priority class, take a ticket; or check in an appointment.
// A kiosk device token in the URL (?token=hqd_…) is sent as "Authorization: Bearer" and
// unlocks the priority classes (elderly, disabled, green channel).
//
// A kiosk with a ticket printer (?printer=p1, and its token) follows that printer's health on
// the hall channel (snapshot "devices", "device.health" events; polled every 10 s while the
// channel is down). Printer online: the ticket is issued with {"print": "p1"} and the visitor
// is told to take the slip. Printer missing, retrying or offline (or the server refuses to
// print on it): the ticket is issued without printing and its QR code is what the visitor takes.
// Such a kiosk also takes the waiting counts from that channel (snapshot "waiting", events'
// "waiting" changes); every other kiosk, or this one while the channel is down, asks
// /api/halls/{hall} every 15 s.
import { bestColumns } from "./fit.js";
import { $, EN, Live, PAGE, T, api, minutes, noOpenWindow, params, serviceNames } from "./hallq-live.js";

const hall = PAGE.hall;
const token = params.get("token");
const names = serviceNames(hall);
const sections = ["home", "priority", "check-in", "issued"];
let chosen = null;
let backTimer = null;
const printer = params.get("printer");
const slug = encodeURIComponent(hall.slug);
// device: the printer's last health record (null: never reported); live: the hall channel is up.
const printerWatch = { id: printer, device: null, live: false };
window.hallqKiosk = printerWatch;

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

const post = (path, body) => api("POST", path, body, token ? { Authorization: `Bearer ${token}` } : {});

// -- the ticket printer ----------------------------------------------------------

function printerReady() {
  const d = printerWatch.device;
  return Boolean(printer && token && d && d.kind === "printer" && d.state === "online");
}

function setPrinter(device) {
  printerWatch.device = device || null;
}

async function pollPrinter() {
  try {
    const r = await fetch(`/api/halls/${slug}/devices`, {
      headers: { Accept: "application/json", Authorization: `Bearer ${token}` },
    });
    if (!r.ok) {
      if ([401, 403, 404].includes(r.status)) setPrinter(null);
      return;
    }
    const body = await r.json();
    if (!printerWatch.live) setPrinter(body.devices.find((d) => d.id === printer));
  } catch {
    /* offline for a moment: keep what we knew */
  }
}

function watchPrinter() {
  const live = new Live(`/ws/halls/${slug}?access_token=${encodeURIComponent(token)}`, {
    snapshot(msg) {
      setPrinter((msg.devices || []).find((d) => d.id === printer));
      showWaiting(Object.fromEntries(hall.services.map((s) => [s.code, msg.waiting?.[s.code] ?? 0])));
    },
    event(msg) {
      const device = msg.event?.detail?.device;
      if (msg.event?.kind === "device.health" && device?.id === printer) setPrinter(device);
      if (msg.waiting) showWaiting(msg.waiting);
    },
    status(online) {
      printerWatch.live = online;
    },
  });
  live.start();
  pollPrinter();
  setInterval(() => printerWatch.live || pollPrinter(), 10000);
}

// The server said no to printing on that printer (it never reported, or this is no kiosk):
// worth one more try without printing. Anything else (a paused service, too many tickets) is not.
const aboutPrinter = (err) =>
  err.status === 404 || (err.status >= 400 && err.status < 500 && err.status !== 429 && /打印|print/i.test(err.message));

// mode: "printed" (the slip is coming out of the printer), "fallback" (a printer kiosk that
// could not print: the QR code is the slip) or undefined (a kiosk without a printer, as ever).
function showTicket(t, mode) {
  $("slip-number").textContent = t.number;
  $("slip-service").textContent = names[t.service] || t.service;
  $("slip-ahead").textContent = t.ahead;
  // No open window serves the service: no made-up time, say so.
  const noWindow = noOpenWindow(t);
  $("slip-wait").textContent = noWindow ? "" : minutes(t.estimated_wait_s);
  $("slip-wait-line").hidden = noWindow;
  $("slip-no-window").hidden = !noWindow;
  $("slip-time").textContent = new Date(t.issued_at).toLocaleString(EN ? "en-GB" : "zh-CN", { hour12: false });
  $("slip-qr").src = `/kiosk/${encodeURIComponent(hall.slug)}/qr?path=${encodeURIComponent(t.track_url)}`;
  $("issued").dataset.trackUrl = t.track_url;
  $("issued").dataset.printed = mode === "printed" ? printer : "";
  $("issued").classList.toggle("printed", mode === "printed");
  $("issued").classList.toggle("qr-first", mode === "fallback");
  $("slip-take").hidden = mode !== "printed";
  $("slip-no-printer").hidden = mode !== "fallback";
  $("print").hidden = Boolean(mode); // the kiosk's printer is the serial one, not the browser's
  show("issued");
}

async function issue(priority) {
  const path = `/api/halls/${slug}/tickets`;
  const body = { service: chosen, priority };
  let printed = printerReady();
  try {
    let ticket;
    try {
      ticket = await post(path, printed ? { ...body, print: printer } : body);
    } catch (err) {
      if (!printed || !aboutPrinter(err)) throw err;
      printed = false;
      setPrinter(null); // until it reports again
      ticket = await post(path, body);
    }
    showTicket(ticket, printer ? (printed ? "printed" : "fallback") : undefined);
    if (!printerWatch.live) refresh(); // else the channel brings the new count
    if (printer && token && !printerWatch.live) pollPrinter();
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

// counts: service code -> people waiting (the services not named keep their count).
function showWaiting(counts) {
  for (const [code, n] of Object.entries(counts)) {
    const el = document.querySelector(`[data-waiting="${code}"]`);
    if (el) el.textContent = n;
  }
}

async function refresh() {
  try {
    const r = await fetch(`/api/halls/${encodeURIComponent(hall.slug)}`);
    const body = await r.json();
    showWaiting(Object.fromEntries(body.services.map((s) => [s.code, s.waiting])));
  } catch {
    /* offline for a moment: keep the counts */
  }
}
setInterval(() => printerWatch.live || refresh(), 15000);

// The zones side by side in as many columns as make the service tiles' names largest (the tiles
// fill the screen: a kiosk is never scrolled). Each zone's services are stacked, as many rows as
// the largest zone has.
function fitZones() {
  const zones = $("zones");
  const boxes = [...zones.querySelectorAll(".zone-box")];
  if (!boxes.length || !zones.clientWidth) return;
  const most = Math.max(1, ...boxes.map((b) => b.querySelectorAll(".service").length));
  const style = getComputedStyle(zones);
  const [rowGap, colGap] = [parseFloat(style.rowGap) || 0, parseFloat(style.columnGap) || 0];
  const heading = boxes[0].querySelector(".zone");
  const headingH = heading.offsetHeight + (parseFloat(getComputedStyle(heading).marginBottom) || 0);
  const tileGap = parseFloat(getComputedStyle(boxes[0].querySelector(".services")).rowGap) || 0;
  const size = (cols, rows) => {
    const zoneH = (zones.clientHeight - (rows - 1) * rowGap) / rows;
    return [(zones.clientWidth - (cols - 1) * colGap) / cols, (zoneH - headingH - (most - 1) * tileGap) / most];
  };
  // The tiles' name text: min(26 % of the height, 9 % of the width) (displays.css, .service .name).
  const cols = bestColumns(boxes.length, size, 0.26, 0.09);
  zones.style.setProperty("--max", String(most));
  zones.style.setProperty("--cols", String(cols));
  zones.style.setProperty("--rows", String(Math.ceil(boxes.length / cols)));
}
new ResizeObserver(fitZones).observe($("zones"));
fitZones();
if (printer && token) watchPrinter();
