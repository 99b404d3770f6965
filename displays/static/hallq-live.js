// HallQ's realtime client: connect, take the snapshot, apply events in seq order,
// ask for a new snapshot on a gap ({"type":"resync"}), reconnect with backoff.
// With `{ resume: true }` a reconnect says the last seq applied (?since=SEQ): the hall channel
// then replays what was missed after a {"type":"resumed"} head instead of a snapshot; those
// events come to `event` with `msg.replayed` set, and `resumed(head)` follows the last of them.
//
//   const live = new Live("/ws/halls/demo?access_token=…", {
//     snapshot(msg) { … full state … }, event(msg) { … one change … }, status(online) { … },
//     resumed(head) { … optional: the replay is over … } });
//   live.start();
//
// The narrower channels skip events that do not concern them, so a gap is
// `prev > lastSeq` (not `prev !== lastSeq`); an event with `seq <= lastSeq` is old news.

export class Live {
  constructor(path, handlers, options = {}) {
    this.path = path;
    this.handlers = handlers;
    this.first = options.firstDelay ?? 500;
    this.max = options.maxDelay ?? 15000;
    this.delay = this.first;
    this.seq = null;
    this.ws = null;
    this.stopped = false;
    this.waitingForSnapshot = true;
    this.resume = options.resume ?? false;
    this.replay = null; // the "resumed" head while its events arrive
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}${this.path}`;
  }

  start() {
    this.stopped = false;
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close(1000);
  }

  connect() {
    const since = !this.resume || this.seq === null ? "" : `${this.path.includes("?") ? "&" : "?"}since=${this.seq}`;
    const ws = new WebSocket(this.url() + since);
    this.ws = ws;
    this.waitingForSnapshot = true;
    this.replay = null;
    ws.onmessage = (e) => this.receive(JSON.parse(e.data));
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handlers.status?.(false, e.code);
      if (this.stopped || e.code === 4401 || e.code === 4403 || e.code === 4404) {
        this.handlers.closed?.(e.code, e.reason);
        return;
      }
      const wait = this.delay * (0.75 + Math.random() * 0.5);
      this.delay = Math.min(this.max, this.delay * 2);
      setTimeout(() => this.connect(), wait);
    };
  }

  resync() {
    this.waitingForSnapshot = true;
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "resync" }));
  }

  receive(msg) {
    if (msg.type === "resumed") {
      // The server goes on from our seq: keep the state, apply what it replays.
      if (msg.seq !== this.seq) return this.resync();
      this.waitingForSnapshot = false;
      this.delay = this.first;
      this.handlers.status?.(true);
      this.replay = msg;
      if (msg.until <= this.seq) this.replayed();
      return;
    }
    if (msg.type === "snapshot") {
      this.seq = msg.seq;
      this.replay = null;
      this.waitingForSnapshot = false;
      this.delay = this.first;
      this.handlers.status?.(true);
      this.handlers.snapshot(msg);
      return;
    }
    if (msg.type !== "event" || this.waitingForSnapshot) return;
    if (msg.seq <= this.seq) return; // already seen
    if (msg.prev > this.seq) {
      this.resync(); // missed something
      return;
    }
    this.seq = msg.seq;
    if (this.replay) msg.replayed = true;
    this.handlers.event(msg);
    if (this.replay && msg.seq >= this.replay.until) this.replayed();
  }

  replayed() {
    const head = this.replay;
    this.replay = null;
    this.handlers.resumed?.(head);
  }
}

// Small helpers the pages share.
export const T = JSON.parse(document.getElementById("hallq-i18n").textContent);
export const PAGE = JSON.parse(document.getElementById("hallq-page").textContent);
export const params = new URLSearchParams(location.search);
export const $ = (id) => document.getElementById(id);
export const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
export const minutes = (seconds) => Math.max(0, Math.ceil((seconds || 0) / 60));
// The page's language is English (?lang=en); else Chinese.
export const EN = document.documentElement.lang === "en";
// A ticket in one of these states is at (or expected at) its window.
export const AT_WINDOW = ["called", "serving", "held"];
// No open window serves the ticket's service right now (the server says ``no_open_window``, or gives
// no estimate): there is no time to show. A server without the field and with a time: as before.
export const noOpenWindow = (t) => t.no_open_window === true || (t.no_open_window === undefined && t.estimated_wait_s === null);
// A hall's services' names in the page's language, by code.
export const serviceNames = (hall) => Object.fromEntries(hall.services.map((s) => [s.code, EN ? s.name_en : s.name_zh]));

// One JSON request to the server: ``body`` (if any) sent as JSON, ``headers`` added (a bearer
// token, a CSRF token); resolves to the answer's JSON (null for none). A refusal throws an Error
// with the server's message (else the status text) and ``status``.
export async function api(method, path, body, headers = {}) {
  const h = { Accept: "application/json", ...headers };
  if (body !== undefined) h["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers: h, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  const data = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) throw Object.assign(new Error(data?.error?.message || r.statusText), { status: r.status });
  return data;
}

export function showOnline(online) {
  const el = $("offline");
  if (el) el.hidden = online;
}
