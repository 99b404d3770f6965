// The 回访 page: the hall's follow-up cases of 差评 under a due filter (open, due soon, overdue,
// all), and one case's detail with its history and the actions its state allows. A manager works
// every case; a clerk sees their own and may appeal them. Every change goes to the cases API and
// the list is read again, so the page shows what the server stored.
import { Live, PAGE, T, $ } from "/static/displays/hallq-live.js";
import { api, openBoard } from "./pages-auth.js";

const base = `/api/halls/${PAGE.hall.slug}/cases`;
const en = PAGE.lang === "en";
// The states each action may start from (rules/cases.py ACTIONS).
const FROM = {
  assign: ["open", "in_progress", "resolved", "appealed", "appeal_upheld", "appeal_rejected"],
  notes: ["open", "in_progress", "resolved", "appealed", "appeal_upheld", "appeal_rejected"],
  "call-back": ["open", "in_progress", "appeal_rejected"],
  resolve: ["in_progress", "appeal_rejected"],
  close: ["resolved", "appeal_upheld"],
  appeal: ["open", "in_progress"],
  decide: ["appealed"],
};
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const local = (iso) => new Date(iso).toLocaleString(en ? "en-GB" : "zh-CN", { timeZone: PAGE.timezone });

let me = null;
let due = "open";
let selected = null;

async function loadList() {
  const found = await api("GET", `${base}?due=${due}`);
  for (const tab of document.querySelectorAll(".fu-tabs button")) {
    tab.setAttribute("aria-selected", String(tab.dataset.due === due));
    const n = tab.dataset.due === "all" ? null : found.counts[tab.dataset.due];
    tab.querySelector(".count").textContent = n == null ? "" : `(${n})`;
    tab.querySelector(".count").classList.toggle("overdue-count", tab.dataset.due === "overdue" && n > 0);
  }
  const body = $("cases").querySelector("tbody");
  body.innerHTML = found.cases.length ? "" : `<tr><td colspan="6" class="note">${esc($("cases").dataset.none)}</td></tr>`;
  for (const c of found.cases) {
    const tr = document.createElement("tr");
    tr.dataset.ticket = c.ticket_id;
    tr.className = `${c.overdue ? "overdue" : ""} ${c.ticket_id === selected ? "selected" : ""}`;
    tr.innerHTML = `<td>${esc(c.number)}</td><td>${c.score} ${esc(en ? c.score_label_en : c.score_label_zh)}</td>
      <td>${esc(c.clerk)}</td><td class="due">${esc(c.due)}</td>
      <td class="state">${esc(en ? c.state_label_en : c.state_label_zh)}</td><td>${esc(c.owner)}</td>`;
    tr.addEventListener("click", () => show(c.ticket_id));
    body.append(tr);
  }
}

// ``keep``: what is typed in the forms stays (a refresh heard on the channel, not the user's own act).
async function show(ticketId, keep = false) {
  selected = ticketId;
  const c = await api("GET", `${base}/${ticketId}`);
  $("case-empty").hidden = true;
  $("case-detail").hidden = false;
  $("case-detail").dataset.state = c.state;
  $("case-title").textContent = `${c.number} · ${en ? c.state_label_en : c.state_label_zh}`;
  $("case-title").classList.toggle("overdue-count", c.overdue);
  $("case-facts").textContent = [
    `${c.score} ${en ? c.score_label_en : c.score_label_zh}`,
    c.window != null ? `#${c.window}` : "",
    c.clerk || "",
    local(c.rated_at),
    `${en ? "due" : "期限"} ${c.due}`,
  ].filter(Boolean).join(" · ");
  $("case-comment").textContent = c.comment;
  const outcome = [];
  if (c.resolution) {
    const felt = c.satisfied == null ? "" : ` (${c.satisfied ? T.fu_satisfied : T.fu_not_satisfied})`;
    outcome.push(`${T.fu_resolution}: ${c.resolution}${felt}`);
  }
  if (c.appeal) {
    const decided = c.appeal.decision === "pending" ? "" : ` · ${T.fu_decision}: ${T[`fu_st_appeal_${c.appeal.decision}`]}`;
    outcome.push(`${T.fu_appeal_reason}: ${c.appeal.reason}${decided}${c.appeal.note ? ` (${c.appeal.note})` : ""}`);
  }
  $("case-outcome").textContent = outcome.join(" · ");
  const manager = me.role !== "clerk";
  for (const form of document.querySelectorAll("#case-detail form")) {
    const action = form.dataset.action;
    const mayAct = action === "appeal" ? me.role === "clerk" && c.clerk === me.name : manager;
    // Resolving needs a call-back recorded first (the server says so too).
    const ready = action !== "resolve" || c.callbacks.length > 0;
    form.hidden = !(mayAct && ready && FROM[action].includes(c.state));
    if (!keep) form.reset();
  }
  $("case-history").innerHTML = c.history
    .map((h) => {
      const what = `${T[`fu_act_${h.action}`] || h.action} → ${T[`fu_st_${h.state}`] || h.state}`;
      // A call-back's line says how and whether the visitor was reached (its record, by time).
      const call = h.action === "call_back" ? c.callbacks.find((b) => b.at === h.at) : null;
      const how = call ? `${T[`fu_method_${call.method}`]}, ${call.reached ? T.fu_reached : T.fu_not_reached}` : "";
      const text = [how, h.text].filter(Boolean).join(": ");
      return `<li>${esc(local(h.at))} · ${esc(h.by || "—")} · ${esc(what)}${text ? ` · ${esc(text)}` : ""}</li>`;
    })
    .join("");
  await loadList();
}

function body(form, submitter) {
  const data = new FormData(form);
  switch (form.dataset.action) {
    case "assign":
      return { owner: data.get("owner") };
    case "notes":
      return { text: data.get("text") };
    case "call-back": {
      const reached = form.elements.reached.checked;
      const response = String(data.get("response") || "").trim();
      return { method: data.get("method"), reached, ...(response || reached ? { response } : {}) };
    }
    case "resolve":
      return { text: data.get("text"), satisfied: form.elements.satisfied.checked };
    case "appeal":
      return { reason: data.get("reason") };
    case "decide":
      return { decision: submitter?.value || "upheld", note: data.get("note") };
    default:
      return undefined;
  }
}

for (const form of document.querySelectorAll("#case-detail form")) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("case-error").textContent = "";
    try {
      await api("POST", `${base}/${selected}/${form.dataset.action}`, body(form, ev.submitter));
      await show(selected);
    } catch (e) {
      $("case-error").textContent = e.message;
    }
  });
}
for (const tab of document.querySelectorAll(".fu-tabs button")) {
  tab.addEventListener("click", () => {
    due = tab.dataset.due;
    loadList().catch((e) => ($("fu-status").textContent = e.message));
  });
}

// Another manager's change (or a new 差评) arrives on the hall channel: read the list, and the
// case shown, again.
let refresh = null;
const onCase = () => {
  clearTimeout(refresh);
  refresh = setTimeout(() => (selected != null ? show(selected, true) : loadList()).catch(() => {}), 300);
};

openBoard(
  async () => {
    me = await api("GET", "/api/auth/me");
    await loadList();
    new Live(`/ws/halls/${PAGE.hall.slug}`, {
      snapshot: () => {},
      event: (msg) => msg.event?.kind?.startsWith("case.") && onCase(),
      status: () => {},
    }).start();
  },
  (e) => ($("fu-status").textContent = e.message),
);
