// Dates, times and colours the 排班 page's modules share. Dates are "YYYY-MM-DD" strings and
// are stepped in UTC, so a browser's own zone never shifts a day; instants from the server are
// shown in the hall's time zone.
import { T, PAGE } from "/static/displays/hallq-live.js";

export const HALL = PAGE.hall.slug;
export const API = `/api/halls/${HALL}`;

const DAY_MS = 86_400_000;
const asDate = (day) => new Date(`${day}T00:00:00Z`);
export const addDays = (day, n) => new Date(asDate(day).getTime() + n * DAY_MS).toISOString().slice(0, 10);
export const weekday = (day) => (asDate(day).getUTCDay() + 6) % 7; // Monday 0
export const mondayOf = (day) => addDays(day, -weekday(day));
export const weekOf = (monday) => Array.from({ length: 7 }, (_, i) => addDays(monday, i));
export function monthOf(day) {
  const first = `${day.slice(0, 7)}-01`;
  const next = addDays(first, 32).slice(0, 7);
  return [first, addDays(`${next}-01`, -1)];
}
export const daysBetween = (first, last) => {
  const out = [];
  for (let d = first; d <= last; d = addDays(d, 1)) out.push(d);
  return out;
};
export const shortDay = (day) => day.slice(5); // MM-DD
export const dayName = (day) => T[`wd${weekday(day)}`];

// "HH:MM" of an instant in the hall's time.
export function hhmm(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: PAGE.timezone });
}
// The hall's date of an instant.
export const hallDate = (iso) => new Date(iso).toLocaleDateString("en-CA", { timeZone: PAGE.timezone });
export const span = (a, b) => `${hhmm(a)}–${hhmm(b)}`;
// "HH:MM" plus minutes, on one day.
export function plusMinutes(time, minutes) {
  const [h, m] = time.split(":").map(Number);
  const t = h * 60 + m + minutes;
  return `${String(Math.floor(t / 60)).padStart(2, "0")}:${String(t % 60).padStart(2, "0")}`;
}

// One colour per shift template, in the order the hall lists them.
const PALETTE = ["#2f6fd0", "#2e9d5b", "#b0651d", "#7e57c2", "#00838f", "#c2185b", "#5d7a1f", "#6d4c41"];
export const shiftColour = (shifts, code) => {
  const i = shifts.findIndex((s) => s.code === code);
  return i < 0 ? "#55657a" : PALETTE[i % PALETTE.length];
};

export const leaveWord = (kind) => T[`leave_${kind}`] || kind;

// A duty as the roster body takes it (the stored one carries its hall too).
export const bodyDuty = (a) => ({
  day: a.day, login: a.login, shift: a.shift, post: a.post, start: a.start, end: a.end,
  lunch_start: a.lunch_start, lunch_end: a.lunch_end, pinned: a.pinned,
});
