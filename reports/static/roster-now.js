// The 现在 panel: each window against the published roster now (who should be there, on duty,
// at lunch and where their visitors go meanwhile, before or after the shift; a clerk at a window
// not theirs) and the posts nobody mans (缺岗, in red, with the B backup to call in). Read
// from ``GET …/rosters/now`` at start, every minute, and on 刷新.
import { T, $, fmt } from "/static/displays/hallq-live.js";
import { esc } from "./dashboard-util.js";
import { api } from "./pages-auth.js";
import { API, hhmm, span } from "./roster-util.js";

const REFRESH_MS = 60_000;
export const NOW = { data: null };

const stateWord = (s) => T[`roster_state_${s}`] || s;
const windowWord = (s) => T[`state_${s}`] || s;

function absenceHtml(a) {
  const text = fmt(T.now_absence, { name: a.name, window: a.window, post: a.post || T.none, since: hhmm(a.since) });
  const backup = a.backup ? fmt(T.now_backup, { name: a.backup.name }) : T.now_no_backup;
  return `<li class="absence" data-login="${esc(a.login)}" data-window="${a.window}">${esc(text)}<span class="when">${esc(backup)}</span></li>`;
}

function rowHtml(w, missing) {
  const absent = missing.has(`${w.window}:${w.login}`);
  const extra = [];
  if (w.state === "lunch" && w.lunch_start) extra.push(`${T.lunch} ${span(w.lunch_start, w.lunch_end)}`);
  if (w.cover_window != null) extra.push(fmt(T.now_cover, { n: w.cover_window }));
  if (w.unrostered) extra.push(T.now_not_theirs);
  const state = absent ? T.now_absences : stateWord(w.state);
  return `<tr class="now-${esc(w.state)}${absent ? " absent" : ""}" data-window="${w.window}" data-login="${esc(w.login || "")}">
    <td>${w.window}<small>${esc(windowWord(w.window_state))}</small></td><td>${esc(w.name || T.none)}</td><td>${esc(w.post || "")}</td>
    <td class="state">${esc(state)}${extra.map((x) => `<small>${esc(x)}</small>`).join("")}</td></tr>`;
}

export function drawNow(data) {
  NOW.data = data;
  $("now-at").textContent = fmt(T.now_at, { time: hhmm(data.at) });
  const missing = new Set(data.absences.map((a) => `${a.window}:${a.login}`));
  $("now-absences").innerHTML = data.absences.length
    ? data.absences.map(absenceHtml).join("")
    : `<li class="none">${esc(T.now_none_absent)}</li>`;
  $("now").querySelector("tbody").innerHTML = data.windows.map((w) => rowHtml(w, missing)).join("");
}

async function refresh() {
  try {
    drawNow(await api("GET", `${API}/rosters/now`));
    $("now-status").textContent = "";
  } catch (e) {
    $("now-status").textContent = `${T.error}: ${e.message}`;
    $("now-status").classList.add("error");
  }
}

export async function initNow() {
  $("now-refresh").addEventListener("click", refresh);
  setInterval(refresh, REFRESH_MS);
  await refresh();
}
