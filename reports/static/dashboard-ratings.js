// The 好差评 panel: today's ratings and every 差评 still waiting for its follow-up (回访), with
// the due date the server computed (overdue in red), loaded from the server on every snapshot of
// the hall channel and kept current by its evaluation events. A manager records a follow-up here.
import { T, PAGE, fmt } from "/static/displays/hallq-live.js";
import { esc, localDate, localTime } from "./dashboard-util.js";

// Every open follow-up, however old: the earliest date the API takes.
const FOLLOW_UP_FROM = "1970-01-01";

const byId = (list) => new Map(list.map((e) => [e.ticket_id, e]));
export const overdue = (e, today) => !e.followed_up_at && e.follow_up_due != null && e.follow_up_due < today;

export class Ratings {
  constructor(api, onChange) {
    this.api = api;
    this.onChange = onChange;
    this.known = new Map(); // ticket id -> evaluation view (today's, and older open ones)
    this.loading = null;
  }

  // Today's ratings and the open follow-ups of any day, from the server.
  async load(today) {
    const hall = PAGE.hall.slug;
    const url = (q) => `/api/halls/${hall}/evaluations?${new URLSearchParams(q)}`;
    const [day, open] = await Promise.all([
      this.api("GET", url({ from: today, to: today })),
      this.api("GET", url({ from: FOLLOW_UP_FROM, to: today, bad_only: "1", open_follow_up: "1" })),
    ]);
    const fresh = byId([...open.evaluations, ...day.evaluations]);
    // Events heard while reading are newer than nothing, but a recorded follow-up is never undone.
    for (const [id, e] of this.known) if (e.followed_up_at && fresh.has(id)) fresh.set(id, e);
    this.known = fresh;
    this.onChange();
    await this.loadOverdue();
  }

  // A follow-up case changed (the 回访 page): a resolved one is followed up, so it leaves the open
  // list; the overdue count is read again.
  caseChanged(c, at) {
    const e = c && this.known.get(c.ticket_id);
    if (e && c.state === "resolved" && !e.followed_up_at) {
      this.known.set(c.ticket_id, { ...e, followed_up_at: at });
      this.onChange();
    }
    this.loadOverdue().catch(() => {});
  }

  // The follow-up cases past their due date (the 回访 page's overdue tab), shown red beside the count.
  async loadOverdue() {
    const counts = await this.api("GET", `/api/halls/${PAGE.hall.slug}/cases/counts`);
    let badge = document.getElementById("case-overdue-count");
    if (!badge) {
      badge = document.createElement("a");
      badge.id = "case-overdue-count";
      badge.style.color = "#d33";
      badge.href = `/dashboard/${PAGE.hall.slug}/follow-ups${PAGE.lang === "en" ? "?lang=en" : ""}`;
      document.getElementById("follow-up-count").after(badge);
    }
    badge.textContent = counts.overdue ? ` ${PAGE.lang === "en" ? "overdue" : "逾期"} ${counts.overdue}` : "";
  }

  // An evaluation view from an event's detail (evaluation.submit, evaluation.follow_up) or an answer.
  apply(view, number) {
    if (!view || view.ticket_id == null) return;
    const before = this.known.get(view.ticket_id);
    if (before?.followed_up_at && !view.followed_up_at) return;
    this.known.set(view.ticket_id, { ...view, number: view.number || number || before?.number || "" });
    this.onChange();
    this.loadOverdue().catch(() => {});
  }

  today(today) {
    return [...this.known.values()].filter((e) => localDate(e.at) === today).sort((a, b) => b.at.localeCompare(a.at));
  }

  open() {
    return [...this.known.values()]
      .filter((e) => e.bad && !e.followed_up_at)
      .sort((a, b) => (a.follow_up_due || "").localeCompare(b.follow_up_due || "") || a.at.localeCompare(b.at));
  }

  async followUp(ticketId, note) {
    const done = await this.api("POST", `/api/halls/${PAGE.hall.slug}/evaluations/${ticketId}/follow-up`, { note });
    this.apply(done);
  }
}

const scoreChip = (e) =>
  `<span class="score s${e.score}" title="${esc(PAGE.lang === "en" ? e.label_en : e.label_zh)}">${e.score} ${esc(PAGE.lang === "en" ? e.label_en : e.label_zh)}</span>`;
const where = (e, services) =>
  [e.number, e.window != null ? fmt(T.window_n, { n: e.window }) : "", services(e.service)].filter(Boolean).join(" · ");

function followUpItem(ratings, e) {
  const li = document.createElement("li");
  li.dataset.ticket = e.ticket_id;
  li.innerHTML = `<div class="fu-head"></div><div class="fu-meta"></div><div class="fu-comment"></div>
    <div class="fu-actions"><button type="button" class="fu-open">${esc(T.follow_up)}</button></div>
    <form class="fu-form" hidden><textarea rows="2" maxlength="500" required placeholder="${esc(T.follow_up_note)}"></textarea>
      <div class="fu-buttons"><button type="submit" class="fu-save">${esc(T.follow_up_save)}</button>
      <button type="button" class="secondary fu-cancel">${esc(T.cancel)}</button><span class="error fu-error"></span></div></form>`;
  const form = li.querySelector(".fu-form");
  const show = (on) => {
    form.hidden = !on;
    li.querySelector(".fu-actions").hidden = on;
    if (on) form.querySelector("textarea").focus();
  };
  li.querySelector(".fu-open").addEventListener("click", () => show(true));
  li.querySelector(".fu-cancel").addEventListener("click", () => show(false));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const note = form.querySelector("textarea").value.trim();
    const error = li.querySelector(".fu-error");
    error.textContent = "";
    if (!note) {
      error.textContent = T.follow_up_note;
      return;
    }
    form.querySelector(".fu-save").disabled = true;
    try {
      await ratings.followUp(e.ticket_id, note);
    } catch (err) {
      error.textContent = `${T.error}: ${err.message}`;
    } finally {
      form.querySelector(".fu-save").disabled = false;
    }
  });
  return li;
}

// Keyed by ticket: an item being written in keeps its form while the list around it changes.
export function renderFollowUps(ratings, list, today, services) {
  const ul = document.getElementById("follow-ups");
  const items = new Map([...ul.querySelectorAll("li[data-ticket]")].map((li) => [Number(li.dataset.ticket), li]));
  ul.querySelector("li.none")?.remove();
  for (const e of list) {
    const li = items.get(e.ticket_id) || followUpItem(ratings, e);
    items.delete(e.ticket_id);
    const late = overdue(e, today);
    li.className = `follow-up${late ? " overdue" : ""}`;
    li.querySelector(".fu-head").innerHTML = `${scoreChip(e)} <span class="fu-where">${esc(where(e, services))}</span>`;
    li.querySelector(".fu-meta").innerHTML = [
      esc(fmt(T.rated_at, { at: localTime(e.at, today, false) })),
      e.staff ? esc(fmt(T.clerk_of, { name: PAGE.staff[e.staff] || e.staff })) : "",
      `<span class="due">${esc(fmt(T.due, { date: e.follow_up_due || "—" }))}${late ? ` <b class="late">${esc(T.overdue)}</b>` : ""}</span>`,
    ].filter(Boolean).join(" · ");
    li.querySelector(".fu-comment").textContent = e.comment || "";
    li.querySelector(".fu-comment").hidden = !e.comment;
    ul.appendChild(li); // in due order
  }
  for (const li of items.values()) li.remove();
  if (!list.length) ul.innerHTML = `<li class="none">${esc(T.no_follow_ups)}</li>`;
  document.getElementById("follow-up-count").textContent = list.length ? `(${list.length})` : "";
}

export function renderRatings(list, today, services) {
  const body = document.getElementById("ratings").querySelector("tbody");
  body.innerHTML = list.map((e) => `<tr data-ticket="${e.ticket_id}" class="${e.bad ? "bad" : ""}">
      <td class="at">${esc(localTime(e.at, today, false))}</td>
      <td class="where" title="${esc(services(e.service))}">${esc(where(e, () => ""))}</td>
      <td class="score-cell">${scoreChip(e)}</td>
      <td class="state">${e.bad ? esc(e.followed_up_at ? T.followed_up : T.follow_up_open) : ""}</td>
      <td class="comment">${esc(e.comment)}</td></tr>`).join("")
    || `<tr class="none"><td>${esc(T.no_ratings)}</td></tr>`;
  document.getElementById("rating-count").textContent = list.length ? `(${list.length})` : "";
}
