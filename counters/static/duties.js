// 我的排班 and the lunch handover on the clerk console.
// The duties: GET /api/halls/{hall}/my/duties (today's and the week's, and leave); where and what
// they are: GET /counter/api/halls/{hall}/duty-places (posts' windows, shifts' names, the hall's
// time zone, whether the clerk is on the staff, and the service's clock). Times are the server's:
// the banner counts by the service's clock (the offset to it taken at each load), not the PC's.
import { $, EN, T, fmt } from "/static/displays/hallq-live.js";
import { isLunch, lunchReason, reasonIn } from "/static/displays/lunch.js";

export const WARN_MS = 10 * 60 * 1000; // the banner comes up this long before lunch
const RELOAD_MS = 5 * 60 * 1000; // a roster published or leave recorded meanwhile shows within this
const TICK_MS = 15 * 1000;

// What the banner says of the lunch of ``duty`` at ``now`` (ms), the window as it is:
// null (nothing), "soon" (within WARN_MS), "due" (its time has come, the window still open),
// "lunch" (paused for lunch), "over" (still paused for lunch after its end).
export function lunchPhase(duty, now, window) {
  const onLunch = window?.state === "paused" && isLunch(window.pause_reason);
  const start = duty?.lunch_start ? Date.parse(duty.lunch_start) : null;
  const end = duty?.lunch_end ? Date.parse(duty.lunch_end) : null;
  if (onLunch) return end !== null && now >= end ? "over" : "lunch";
  if (start === null || end === null || now < start - WARN_MS || now >= end || window?.state !== "open") return null;
  return now >= start ? "due" : "soon";
}

// The duty whose lunch the banner is about: the last one today whose warning has begun.
function lunchDuty(duties, now) {
  const withLunch = duties.filter((d) => d.lunch_start && d.lunch_end && Date.parse(d.lunch_start) - WARN_MS <= now);
  return withLunch.sort((a, b) => Date.parse(a.lunch_start) - Date.parse(b.lunch_start)).at(-1) || null;
}

const AT_DESK = ["called", "serving"];

export class Duties {
  // api(method, path, body): the console's fetch; window(): its window now (or null);
  // act(action, body): POST …/windows/{n}/{action}; error(message): its error banner.
  constructor({ api, window, act, error }) {
    Object.assign(this, { api, window, act, error });
    this.data = null;
    this.places = null;
    this.offset = 0;
    this.slug = null;
    this.refused = false;
    $("lunch-start").addEventListener("click", () => this.startLunch());
    $("lunch-end").addEventListener("click", () => this.act("resume"));
    setInterval(() => this.render(), TICK_MS);
    setInterval(() => this.load(), RELOAD_MS);
  }

  now() {
    return Date.now() + this.offset;
  }

  async load(slug = this.slug) {
    this.slug = slug;
    if (!slug) return;
    const hall = encodeURIComponent(slug);
    try {
      const asked = Date.now();
      const [places, data] = await Promise.all([
        this.api("GET", `/counter/api/halls/${hall}/duty-places`),
        this.api("GET", `/api/halls/${hall}/my/duties`),
      ]);
      this.offset = Date.parse(places.now) - (asked + Date.now()) / 2;
      this.places = places;
      this.data = places.on_staff ? data : null;
    } catch (e) {
      // No duties to read (no staff record, an account the roster does not know): no panel, no error.
      if (![401, 403, 404].includes(e.status)) this.error(e.message);
      this.data = null;
    }
    this.render();
  }

  time(iso) {
    return new Date(iso).toLocaleTimeString("zh-CN", { timeZone: this.places?.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  place(duty) {
    if (!duty.post) return T.place_floater;
    const n = this.places?.windows?.[duty.post];
    return n ? fmt(T.place_window, { n, post: duty.post }) : fmt(T.place_post, { post: duty.post });
  }

  shiftName(code) {
    const s = this.places?.shifts?.[code];
    return s ? (EN ? s.name_en : s.name_zh) : code;
  }

  render() {
    const panel = $("duties");
    if (!this.data) {
      panel.hidden = true;
      $("lunch").hidden = true;
      return;
    }
    panel.hidden = false;
    const now = this.now();
    const today = [...this.data.today].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    $("duty-today").replaceChildren(...(today.length ? today.map((d) => this.dutyLine(d, now)) : [this.note(T.not_rostered)]));
    $("duty-week").replaceChildren(...this.data.week.map((w) => this.dayChip(w)));
    this.renderLunch(today, now);
  }

  note(text) {
    const li = document.createElement("li");
    li.className = "none";
    li.textContent = text;
    return li;
  }

  dutyLine(d, now) {
    const li = document.createElement("li");
    const state = now < Date.parse(d.start) ? "due" : now < Date.parse(d.end) ? "on" : "done";
    li.dataset.state = state;
    const values = { start: this.time(d.start), end: this.time(d.end), place: this.place(d) };
    const text = d.lunch_start && d.lunch_end
      ? fmt(T.today_duty, { ...values, lunch_start: this.time(d.lunch_start), lunch_end: this.time(d.lunch_end) })
      : fmt(T.today_duty_no_lunch, values);
    li.innerHTML = "<span class=\"duty-text\"></span><span class=\"tag shift\"></span><span class=\"tag state\"></span>";
    li.children[0].textContent = text;
    li.children[1].textContent = this.shiftName(d.shift);
    li.children[2].textContent = T[`duty_${state}`];
    return li;
  }

  dayChip({ day, duties }) {
    const li = document.createElement("li");
    li.dataset.day = day;
    if (day === this.data.day) li.dataset.today = "1";
    const weekday = T.weekdays.split(",")[(new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7];
    const away = this.data.leave.find((l) => this.sameDay(l, day));
    const what = duties.length
      ? duties.map((d) => `${this.shiftName(d.shift)} ${this.time(d.start)}–${this.time(d.end)}`).join(" / ")
      : away ? T[`leave_${away.kind}`] : T.day_off;
    li.innerHTML = "<b></b><span></span>";
    li.children[0].textContent = `${weekday} ${day.slice(5).replace("-", "/")}`;
    li.children[1].textContent = what;
    if (!duties.length && away) li.dataset.leave = away.kind;
    return li;
  }

  sameDay(leave, day) {
    const inHall = (ms) => new Date(ms).toLocaleDateString("sv-SE", { timeZone: this.places?.timezone });
    return inHall(Date.parse(leave.start)) <= day && day <= inHall(Date.parse(leave.end) - 1);
  }

  renderLunch(today, now) {
    const w = this.window();
    const duty = lunchDuty(today, now);
    const phase = w ? lunchPhase(duty, now, w) : null;
    const banner = $("lunch");
    banner.hidden = !phase;
    if (!phase) return;
    banner.dataset.phase = phase;
    const cover = this.cover(duty);
    const cur = w.current && AT_DESK.includes(w.current.state) ? w.current : null;
    let text;
    if (phase === "soon" || phase === "due") {
      const values = { time: this.time(duty.lunch_start), n: cover };
      text = fmt(cover ? T.lunch_soon : T.lunch_soon_any, values);
    } else if (phase === "lunch") {
      const reason = reasonIn(w.pause_reason, EN);
      text = duty ? fmt(T.on_lunch, { start: this.time(duty.lunch_start), end: this.time(duty.lunch_end), reason }) : fmt(T.on_lunch_open, { reason });
    } else {
      text = fmt(T.lunch_over, { end: this.time(duty.lunch_end) });
    }
    $("lunch-text").textContent = text;
    // With a ticket at the window the button refuses (the note turns red when it is pressed).
    const busy = cur && (phase === "soon" || phase === "due");
    if (!busy) this.refused = false;
    $("lunch-busy").textContent = busy ? fmt(T.lunch_busy, { number: cur.number }) : "";
    $("lunch-busy").hidden = !busy;
    $("lunch-busy").classList.toggle("refused", Boolean(this.refused));
    $("lunch-start").hidden = !(phase === "soon" || phase === "due");
    $("lunch-end").hidden = !(phase === "lunch" || phase === "over");
  }

  // The window covering this lunch, when the duties say (on the duty, or for the answer).
  cover(duty) {
    return duty?.cover_window ?? this.data?.cover_window ?? null;
  }

  // The window pauses for lunch only once the ticket at it is done: with one there, say so instead.
  async startLunch() {
    const w = this.window();
    const cur = w?.current && AT_DESK.includes(w.current.state) ? w.current : null;
    if (cur) {
      this.refused = true;
      return this.render();
    }
    const duty = lunchDuty([...(this.data?.today || [])], this.now());
    await this.act("pause", { reason: lunchReason(this.cover(duty)) });
  }
}
