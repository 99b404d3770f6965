// The 电子监察 page: the hall's audit log, newest first, narrowed by person, window, action (or
// its prefix), outcome and time range (the hall's local time), fifty rows at a time with "more"
// paging back; the export downloads what the filters match as CSV (Excel-ready, capped).
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { EN, esc, localTime } from "./dashboard-util.js";
import { api, openBoard } from "./pages-auth.js";

const API = `/api/halls/${PAGE.hall.slug}`;
const PAGE_SIZE = 50;
const ACTIONS = ["window.", "ticket.", "appointment.", "evaluation.", "notice.", "staff.", "account.", "token.",
  "roster.", "leave.", "auth.", "audit."];
const S = { records: [], more: false, filters: new URLSearchParams() };
window.hallqAudit = S;

const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};

function filters() {
  const q = new URLSearchParams();
  const put = (name, value) => value.trim() && q.set(name, value.trim());
  put("actor", $("f-actor").value);
  put("window", $("f-window").value);
  put("action", $("f-action").value);
  put("outcome", $("f-outcome").value);
  put("since", $("f-since").value);
  put("until", $("f-until").value);
  return q;
}

const detailText = (d) => Object.entries(d || {}).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ");

function draw() {
  $("audit").querySelector("tbody").innerHTML = S.records.map((r) => `<tr data-id="${r.id}" class="${esc(r.outcome)}">
    <td class="at">${esc(localTime(r.at, PAGE.business_day))}</td><td class="actor">${esc(r.actor)}</td>
    <td class="action">${esc(r.action)}</td><td class="target">${esc(r.target)}</td>
    <td class="outcome">${esc(T[`audit_outcome_${r.outcome}`] || r.outcome)}</td><td>${esc(r.ip)}</td>
    <td class="detail">${esc(detailText(r.detail))}</td></tr>`).join("");
  $("audit").hidden = S.records.length === 0;
  $("audit-none").hidden = S.records.length > 0;
  $("more").hidden = !S.more;
  $("audit-count").textContent = S.records.length
    ? fmt(S.more ? T.audit_shown : T.audit_shown_all, { n: S.records.length }) : "";
}

async function load(more = false) {
  const q = new URLSearchParams(S.filters);
  q.set("limit", PAGE_SIZE);
  if (more && S.records.length) q.set("before_id", S.records[S.records.length - 1].id);
  const data = await api("GET", `${API}/audit?${q}`);
  S.records = more ? [...S.records, ...data.records] : data.records;
  S.more = data.more;
  draw();
}

async function apply(ev) {
  ev?.preventDefault();
  S.filters = filters();
  say("audit-status", "");
  try {
    await load();
  } catch (e) {
    say("audit-status", e.message, true);
  }
}

async function exportCsv() {
  const q = filters();
  if (EN) q.set("lang", "en");
  try {
    const r = await fetch(`${API}/audit/export?${q}`, { credentials: "same-origin" });
    if (!r.ok) {
      const data = await r.json().catch(() => null);
      throw new Error(data?.error?.message || r.statusText);
    }
    const name = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "")?.[1] || "audit.csv";
    const url = URL.createObjectURL(await r.blob());
    const link = Object.assign(document.createElement("a"), { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    const capped = r.headers.get("X-HallQ-Export-Capped");
    if (capped) say("audit-status", fmt(T.audit_capped, { n: capped }), true);
    else say("audit-status", fmt(T.audit_exported, { n: r.headers.get("X-HallQ-Export-Rows") || "0" }));
  } catch (e) {
    say("audit-status", e.message, true);
  }
}

async function start() {
  $("f-window").insertAdjacentHTML("beforeend", (PAGE.hall.windows || [])
    .map((w) => `<option value="${w.number}">${esc(fmt(T.window_n, { n: w.number }))}</option>`).join(""));
  $("actions").innerHTML = ACTIONS.map((a) => `<option value="${esc(a)}"></option>`).join("");
  const staff = (await api("GET", `${API}/staff`)).staff;
  $("actors").innerHTML = staff.map((m) => `<option value="${esc(m.login)}">${esc(m.name)}</option>`).join("");
  $("audit-filters").addEventListener("submit", apply);
  $("f-reset").addEventListener("click", () => {
    $("audit-filters").reset();
    apply();
  });
  $("more").addEventListener("click", () => load(true).catch((e) => say("audit-status", e.message, true)));
  $("export").addEventListener("click", exportCsv);
  await load();
}

openBoard(start, (e) => say("audit-status", e.message, true));
