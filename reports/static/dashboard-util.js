// Small helpers the dashboard's modules share.
import { PAGE } from "/static/displays/hallq-live.js";

export const EN = PAGE.lang === "en";
export const LOCALE = EN ? "en-GB" : "zh-CN";

export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// An instant in the hall's local time: the time of day, with the month and day unless it is on
// ``today`` (the hall's business day, "YYYY-MM-DD", from the server).
export function localTime(iso, today, withSeconds = true) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const time = new Date(t).toLocaleTimeString(LOCALE, {
    hour12: false, hour: "2-digit", minute: "2-digit", ...(withSeconds ? { second: "2-digit" } : {}), timeZone: PAGE.timezone,
  });
  if (localDate(iso) === today) return time;
  const day = new Date(t).toLocaleDateString(LOCALE, { month: "2-digit", day: "2-digit", timeZone: PAGE.timezone });
  return `${day} ${time}`;
}

// The hall's local date of an instant, as "YYYY-MM-DD".
export function localDate(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  return new Date(t).toLocaleDateString("en-CA", { timeZone: PAGE.timezone }); // en-CA spells ISO dates
}
