// The 设备状态 panel: device health grouped by serial line (one bus each), problems first.
// A line whose devices are all online is one collapsed row ("21 台设备 全部在线"); a line with a
// problem opens, its offline, retrying and not connected devices on top.
import { T, PAGE, fmt } from "/static/displays/hallq-live.js";
import { esc, localTime } from "./dashboard-util.js";

// Worst first: the order of rows in a line and of lines in the panel.
export const DEVICE_STATES = ["offline", "retrying", "unknown", "online"];
const OTHER = ""; // devices the hall file does not place on a line

const rank = (state) => {
  const i = DEVICE_STATES.indexOf(state);
  return i < 0 ? 0 : i; // a state this page does not know is treated as the worst
};
export const stateOf = (d) => (DEVICE_STATES.includes(d.state) ? d.state : "offline");
export const isProblem = (d) => stateOf(d) !== "online";

export const deviceKind = (d) => T[`device_kind_${d.kind}`] || d.kind;
// "3号窗口屏" / "Window 3 LED" for a device at a window, else "取号打印机（p1）" / "Ticket printer p1".
export function deviceName(d) {
  const at = T[`device_at_${d.kind}`];
  return d.window != null && at ? fmt(at, { n: d.window }) : fmt(T.device_named, { kind: deviceKind(d), id: d.id });
}

const byWindow = (a, b) => (a.window ?? Infinity) - (b.window ?? Infinity) || a.id.localeCompare(b.id);

// Pure: the lines of the hall file (in its order, then devices of no known line), each with its
// devices worst first and a count per state; lines with a problem come first.
export function groupByLine(devices, lines = PAGE.lines || [], deviceLines = PAGE.device_lines || {}) {
  const groups = new Map(lines.map((l) => [l.id, { id: l.id, protocol: l.protocol, devices: [] }]));
  for (const d of devices) {
    const line = d.line ?? deviceLines[d.id] ?? OTHER;
    if (!groups.has(line)) groups.set(line, { id: line, protocol: "", devices: [] });
    groups.get(line).devices.push(d);
  }
  const out = [...groups.values()].filter((g) => g.devices.length);
  out.forEach((g, order) => {
    g.order = g.id === OTHER ? Infinity : order;
    g.devices.sort((a, b) => rank(stateOf(a)) - rank(stateOf(b)) || byWindow(a, b));
    g.counts = Object.fromEntries(DEVICE_STATES.map((s) => [s, g.devices.filter((d) => stateOf(d) === s).length]));
    g.worst = rank(stateOf(g.devices[0]));
    // A whole line down gives each of its devices the same error: said once, for the line.
    const errors = new Set(g.devices.filter(isProblem).map((d) => d.error || ""));
    g.error = errors.size === 1 && g.devices.filter(isProblem).length > 1 ? [...errors][0] : "";
  });
  return out.sort((a, b) => a.worst - b.worst || a.order - b.order);
}

export function lineSummary(g) {
  const total = g.devices.length;
  if (g.counts.online === total) return fmt(T.line_all_online, { count: total });
  const states = DEVICE_STATES.filter((s) => g.counts[s]).map((s) => fmt(T[`line_count_${s}`], { n: g.counts[s] }));
  return fmt(T.line_problems, { count: total, states: states.join(T.list_sep) });
}

function lineTitle(g) {
  if (g.id === OTHER) return esc(T.line_other);
  const kind = T[`line_protocol_${g.protocol}`];
  return `${esc(fmt(T.line_named, { id: g.id }))}${kind ? ` <span class="line-kind">${esc(kind)}</span>` : ""}`;
}

function row(d, today, lineError) {
  const st = stateOf(d);
  const error = d.error === lineError ? "" : d.error;
  return `<tr data-device="${esc(d.id)}" data-state="${st}"><td class="state"><span class="dot dev-${st}"></span>${esc(T[`device_${st}`] || d.state)}</td>
    <td class="id">${esc(d.id)}</td><td class="kind">${esc(deviceKind(d))}</td>
    <td class="window">${d.window == null ? "" : esc(fmt(T.window_n, { n: d.window }))}</td>
    <td class="err">${esc(error)}</td><td class="since">${esc(localTime(d.since, today))}</td></tr>`;
}

// ``opened``: line id -> true/false for lines the manager opened or closed by hand (kept across
// redraws); other lines are open when they have a problem.
export function renderDevices(container, devices, today, opened) {
  const groups = groupByLine(devices);
  if (!groups.length) {
    container.innerHTML = `<table><tbody><tr class="none"><td>${esc(T.no_devices)}</td></tr></tbody></table>`;
    return;
  }
  container.innerHTML = groups.map((g) => {
    const problem = g.worst < rank("online");
    const open = opened.has(g.id) ? opened.get(g.id) : problem;
    const head = `<tr><th>${esc(T.device_state)}</th><th>${esc(T.device_id)}</th><th>${esc(T.device_kind)}</th><th>${esc(T.device_window)}</th><th>${esc(T.device_error)}</th><th>${esc(T.device_since)}</th></tr>`;
    return `<details class="line${problem ? " problem" : ""}" data-line="${esc(g.id)}"${open ? " open" : ""}>
      <summary><span class="dot dev-${DEVICE_STATES[g.worst]}"></span><span class="line-name">${lineTitle(g)}</span>
        <span class="line-summary">${esc(lineSummary(g))}</span>
        ${g.error ? `<span class="line-error">${esc(g.error)}</span>` : ""}</summary>
      <table><thead>${head}</thead><tbody>${g.devices.map((d) => row(d, today, g.error)).join("")}</tbody></table></details>`;
  }).join("");
  container.querySelectorAll("details.line > summary").forEach((summary) => {
    // The manager's click (or Enter) is remembered; the open state this drawing gave is not a choice.
    summary.addEventListener("click", () => opened.set(summary.parentElement.dataset.line, !summary.parentElement.open));
  });
}
