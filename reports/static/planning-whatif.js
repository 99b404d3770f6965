// The what-if builder: variations of the day's roster (windows by department, clerks added or
// removed for a while, noon service on or off, a service's time cut), run side by side with the
// roster as it is; a table of the figures and charts per quarter hour. A variation the server
// refuses gets the server's message beside it (the message names ``body.variations[i]…``).
import { T, PAGE, $, fmt, serviceNames } from "/static/displays/hallq-live.js";
import { esc } from "./dashboard-util.js";
import { api } from "./pages-auth.js";
import { API } from "./roster-util.js";
import { compareOption, draw, minutes, percent, undraw } from "./planning-charts.js";
import { S, busy, runBody, say } from "./planning-run.js";

const EN = PAGE.lang === "en";
const NAMES = serviceNames(PAGE.hall);
const opt = (value, label, picked) => `<option value="${esc(value)}"${picked ? " selected" : ""}>${esc(label)}</option>`;

// The fields of each kind, as HTML, and how to read them back into the body's variation.
const FIELDS = {
  departmental: { html: () => "", read: () => ({}) },
  add_clerk: {
    html: () => `<label>${esc(T.plan_from)} <input type="time" name="from" value="10:00" step="900"></label>
      <label>${esc(T.plan_to)} <input type="time" name="to" value="12:00" step="900"></label>
      <label>${esc(T.plan_count)} <input type="number" name="count" value="1" min="-50" max="50"></label>`,
    read: (li) => ({ from: field(li, "from"), to: field(li, "to"), count: Number(field(li, "count")) }),
  },
  noon: {
    html: () => `<select name="on">${opt("1", T.plan_noon_on, true)}${opt("0", T.plan_noon_off, false)}</select>`,
    read: (li) => ({ on: field(li, "on") === "1" }),
  },
  service_time: {
    html: () => `<label>${esc(T.plan_service)} <select name="service">${PAGE.hall.services.map((s, i) => opt(s.code, NAMES[s.code], i === 0)).join("")}</select></label>
      <label>${esc(T.plan_cut)} <input type="number" name="cut" value="20" min="1" max="90"></label>`,
    // The page takes a percentage; the body a share of the service time.
    read: (li) => ({ service: field(li, "service"), cut: Number(field(li, "cut")) / 100 }),
  },
};
const field = (li, name) => li.querySelector(`[name="${name}"]`).value;

function add(kind) {
  const li = document.createElement("li");
  li.dataset.kind = kind;
  li.innerHTML = `<div class="row"><strong>${esc(T[`plan_kind_${kind}`])}</strong>${FIELDS[kind].html()}
    <button type="button" class="small secondary remove">${esc(T.plan_remove)}</button></div><span class="field-error" hidden></span>`;
  li.querySelector(".remove").addEventListener("click", () => li.remove());
  $("variations").append(li);
}

export const variations = () => [...$("variations").children].map((li) => ({ kind: li.dataset.kind, ...FIELDS[li.dataset.kind].read(li) }));

function clearRefusals() {
  for (const li of $("variations").children) {
    li.querySelector(".field-error").hidden = true;
    li.querySelectorAll(".refused").forEach((el) => el.classList.remove("refused"));
  }
}

// ``body.variations[1].cut`` → that row, its field marked; anything else goes to the status line.
function refuse(message) {
  const m = /variations\[(\d+)\](?:\.(\w+))?/.exec(message);
  const li = m ? $("variations").children[Number(m[1])] : null;
  if (!li) return say("compare-status", `${T.error}: ${message}`, true);
  const err = li.querySelector(".field-error");
  err.textContent = message;
  err.hidden = false;
  if (m[2]) li.querySelector(`[name="${m[2]}"]`)?.classList.add("refused");
  say("compare-status", fmt(T.plan_refused, { n: Number(m[1]) + 1, message }), true);
}

const label = (v) => (EN ? v.label_en : v.label_zh) || v.kind;

// Each measure's row: the baseline's figure, then each variation's, marked better or worse.
const MEASURES = [
  ["staff_hours", T.plan_staff_hours, (r) => r.staff_hours, (v) => fmt(T.plan_hours_value, { v }), 0],
  ["within", T.plan_within, (r) => r.summary.within_share, (v) => `${percent(v)}%`, 1],
  ["wait_p90", T.plan_wait_p90, (r) => r.summary.wait_p90_s, (v) => fmt(T.plan_minutes_value, { v: minutes(v) }), -1],
  ["wait_mean", T.plan_wait_mean, (r) => r.summary.wait_mean_s, (v) => fmt(T.plan_minutes_value, { v: minutes(v) }), -1],
  ["waiting_at_close", T.plan_waiting_at_close, (r) => r.summary.waiting_at_close, (v) => String(Math.round(v * 10) / 10), -1],
  ["utilisation", T.plan_utilisation, (r) => r.summary.utilisation, (v) => `${percent(v)}%`, 0],
];

function drawTable(answer) {
  const runs = [answer.baseline, ...answer.variations];
  const labels = [T.plan_baseline, ...answer.variations.map(label)];
  $("compare-table").querySelector("thead").innerHTML = `<tr><th>${esc(T.plan_metric)}</th>${labels.map((l, i) =>
    `<th data-col="${i}">${esc(l)}</th>`).join("")}</tr>`;
  $("compare-table").querySelector("tbody").innerHTML = MEASURES.map(([key, name, get, show, better]) => {
    const base = get(answer.baseline);
    const cells = runs.map((r, i) => {
      const v = get(r);
      const cls = i === 0 || !better || v === base ? "" : (v - base) * better > 0 ? "better" : "worse";
      return `<td data-col="${i}" class="${cls}">${esc(v == null ? "–" : show(v))}</td>`;
    });
    return `<tr data-key="${key}"><th>${esc(name)}</th>${cells.join("")}</tr>`;
  }).join("");
  return labels;
}

async function compare() {
  clearRefusals();
  const list = variations();
  if (!list.length) return say("compare-status", T.plan_no_variations, true);
  const stop = busy("compare-progress", "compare-status", T.plan_comparing, "compare");
  try {
    const answer = await api("POST", `${API}/planning/compare`, { ...runBody(), variations: list });
    S.compare = answer;
    const labels = drawTable(answer);
    draw("compare-p90-chart", { ...compareOption(answer, labels, (s) => minutes(s.wait_p90_s), T.minutes), title: titled(T.plan_compare_p90), grid: GRID });
    draw("compare-within-chart", { ...compareOption(answer, labels, (s) => percent(s.within_share), "%"), title: titled(T.plan_compare_within), grid: GRID });
    say("compare-status", T.plan_compare_done);
  } catch (e) {
    if (e.status === 400) refuse(e.message);
    else say("compare-status", `${T.error}: ${e.message}`, true);
  } finally {
    stop();
  }
}
const GRID = { left: 44, right: 24, top: 36, bottom: 50 };
const titled = (text) => ({ text, left: "center", bottom: 0, textStyle: { color: "#8fa3bd", fontSize: 12, fontWeight: "normal" } });

// The comparison's results are of one day and roster: gone when either changes.
export function clearComparison() {
  S.compare = null;
  $("compare-table").querySelector("thead").innerHTML = "";
  $("compare-table").querySelector("tbody").innerHTML = "";
  undraw("compare-p90-chart");
  undraw("compare-within-chart");
  say("compare-status", "");
}

export function initWhatIf() {
  $("add-variation").addEventListener("click", () => add($("variation-kind").value));
  $("compare").addEventListener("click", compare);
}

