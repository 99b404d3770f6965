// The 排班 page's panels beside the grid: noon coverage of a day (15-minute slots × services,
// and the windows on duty), leave (请假 / 外出 / 培训), the solver (自动排班) with its progress
// and explanation, and who holds each post (AB岗).
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { esc } from "./dashboard-util.js";
import { api } from "./pages-auth.js";
import { API, addDays, dayName, hallDate, hhmm, leaveWord, monthOf, shortDay, weekOf } from "./roster-util.js";

const EN = PAGE.lang === "en";
const SERVICES = Object.fromEntries(PAGE.hall.services.map((s) => [s.code, EN ? s.name_en : s.name_zh]));
let S = null; // the page's state (roster.js)
let page = null; // {load, saveDraft, staffName}

const activeStaff = () => S.staff.filter((m) => m.active);
const options = (list, chosen, none) => (none !== undefined ? `<option value="">${esc(none)}</option>` : "") + list
  .map((m) => `<option value="${esc(m.login)}"${m.login === chosen ? " selected" : ""}>${esc(m.name)}</option>`).join("");
const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};

// -- noon coverage ----------------------------------------------------------------------------

const canServe = (m, code) => !m.skills.length || m.skills.some((s) => s.service === code);

export function drawNoon(state) {
  const select = $("noon-day");
  const days = weekOf(state.monday);
  const chosen = days.includes(select.value) ? select.value : days.includes(state.day) ? state.day : days[0];
  select.innerHTML = days.map((d) => `<option value="${d}">${shortDay(d)} ${esc(dayName(d))}</option>`).join("");
  select.value = chosen;
  loadNoon();
}

async function loadNoon() {
  const day = $("noon-day").value;
  try {
    const c = await api("GET", `${API}/rosters/noon?day=${day}${S.draft ? "&draft=1" : ""}`);
    if (c.day !== $("noon-day").value) return; // another day was picked meanwhile
    const staff = Object.fromEntries(S.staff.map((m) => [m.login, m]));
    const head = `<tr><th></th>${c.slots.map((s) => `<th>${hhmm(s.start)}</th>`).join("")}</tr>`;
    const windows = `<tr class="windows"><th>${esc(T.noon_windows)}</th>${c.slots.map((s) =>
      `<td class="${s.short ? "gap" : "ok"}" title="${esc(s.on_duty.map(page.staffName).join(T.list_sep))}">${s.count}/${s.min_windows}</td>`).join("")}</tr>`;
    const rows = c.services.map((code) => `<tr data-service="${esc(code)}"><th>${esc(code)} ${esc(SERVICES[code] || "")}</th>${c.slots.map((s) => {
      const n = s.on_duty.filter((l) => staff[l] && canServe(staff[l], code)).length;
      return `<td class="${s.gaps.includes(code) ? "gap" : "ok"}">${n}</td>`;
    }).join("")}</tr>`);
    $("noon").innerHTML = `<thead>${head}</thead><tbody>${windows}${rows.join("")}</tbody>`;
    say("noon-summary", c.covered ? T.noon_ok : T.noon_gaps, !c.covered);
  } catch (e) {
    say("noon-summary", `${T.error}: ${e.message}`, true);
  }
}

// -- leave -------------------------------------------------------------------------------------

export function drawLeave(state) {
  const chosen = $("leave-login").value;
  $("leave-login").innerHTML = options(activeStaff(), chosen);
  if (!$("leave-start").value) {
    $("leave-start").value = `${state.day}T09:00`;
    $("leave-end").value = `${state.day}T17:00`;
  }
  const when = (iso) => `${shortDay(hallDate(iso))} ${hhmm(iso)}`;
  $("leave-list").innerHTML = state.leave.length
    ? state.leave.map((lv) => `<li data-leave="${lv.id}"><span class="away away-${esc(lv.kind)}">${esc(leaveWord(lv.kind))}</span>
        <b>${esc(page.staffName(lv.login))}</b> <span class="when">${esc(when(lv.start))} – ${esc(when(lv.end))}</span>
        ${lv.note ? `<span class="note-text">${esc(lv.note)}</span>` : ""}
        <button type="button" class="secondary small delete-leave">${esc(T.delete)}</button></li>`).join("")
    : `<li class="none">${esc(T.no_leave)}</li>`;
}

async function addLeave(ev) {
  ev.preventDefault();
  const body = {
    login: $("leave-login").value, kind: $("leave-kind").value,
    start: $("leave-start").value, end: $("leave-end").value, note: $("leave-note").value.trim(),
  };
  try {
    await api("POST", `${API}/leave`, body);
    say("leave-status", "");
    $("leave-note").value = "";
    await page.load();
  } catch (e) {
    say("leave-status", `${T.error}: ${e.message}`, true);
  }
}

async function deleteLeave(ev) {
  const li = ev.target.closest("li[data-leave]");
  if (!ev.target.classList.contains("delete-leave") || !li) return;
  try {
    await api("DELETE", `${API}/leave/${li.dataset.leave}`);
    await page.load();
  } catch (e) {
    say("leave-status", `${T.error}: ${e.message}`, true);
  }
}

// -- the solver ---------------------------------------------------------------------------------

async function solve(ev) {
  ev.preventDefault();
  const [first, last] = $("solve-scope").value === "month" ? monthOf(S.day) : [S.monday, addDays(S.monday, 6)];
  const limit = Math.max(1, Number($("solve-limit").value) || 30);
  $("solve").disabled = true;
  $("violations").innerHTML = "";
  try {
    const r = await api("POST", `${API}/rosters/solve`, { first, last, time_limit_s: limit });
    await follow(r.job);
  } catch (e) {
    say("solve-status", fmt(T.solve_failed, { error: e.message }), true);
  } finally {
    $("solve").disabled = false;
    $("solve-progress").hidden = true;
  }
}

const pause = (ms) => new Promise((done) => setTimeout(done, ms));

// Polls the job until it is done or failed, the bar following its progress.
async function follow(job) {
  $("solve-progress").hidden = false;
  for (;;) {
    const s = await api("GET", `${API}/rosters/solve/${job}`);
    const progress = Math.min(1, Math.max(0, Number(s.progress) || 0));
    $("solve-bar").style.width = `${Math.round(progress * 100)}%`;
    if (s.state === "running") {
      say("solve-status", fmt(T.solving, { stage: s.stage || "", elapsed: Math.round(s.elapsed_s || 0), limit: s.time_limit_s ?? "" }));
      await pause(1000);
      continue;
    }
    if (s.state === "failed") {
      const error = s.error?.message || s.error || s.stage || "";
      say("solve-status", fmt(T.solve_failed, { error }), true);
      return;
    }
    explain(s.answer || {});
    S.draft = true;
    await page.load();
    return;
  }
}

function explain(answer) {
  const wall = answer.wall_s == null ? "" : Number(answer.wall_s).toFixed(1);
  say("solve-status", fmt(T.solve_done, { status: answer.status || "", wall }));
  const violations = answer.violations || [];
  const head = answer.hard_ok ? T.hard_ok : T.hard_broken;
  $("violations").innerHTML = `<li class="head ${answer.hard_ok ? "ok" : "bad"}">${esc(head)}</li>` + (violations.length
    ? violations.map((v) => `<li class="violation" data-rule="${esc(v.rule)}">${esc(EN ? v.en : v.zh)}</li>`).join("")
    : `<li class="none">${esc(T.no_violations)}</li>`);
}

// -- posts (AB岗) ----------------------------------------------------------------------------

export function drawPosts(state) {
  const staff = activeStaff();
  const head = `<thead><tr><th>${esc(T.post)}</th><th>${esc(T.post_services)}</th><th>${esc(T.post_a)}</th><th>${esc(T.post_b)}</th><th></th></tr></thead>`;
  const rows = state.posts.map((p) => `<tr data-post="${esc(p.code)}"><th>${esc(p.code)}${p.window != null ? `<small>${esc(fmt(T.window_n, { n: p.window }))}</small>` : ""}</th>
    <td class="services">${esc(p.services.join(","))}</td>
    <td><select class="post-a" aria-label="${esc(T.post_a)}">${options(staff, p.a, T.nobody)}</select></td>
    <td><select class="post-b" aria-label="${esc(T.post_b)}">${options(staff, p.b, T.nobody)}</select></td>
    <td><button type="button" class="small save-post">${esc(T.save)}</button></td></tr>`);
  $("posts").innerHTML = `${head}<tbody>${rows.join("")}</tbody>`;
}

async function savePost(ev) {
  const tr = ev.target.closest("tr[data-post]");
  if (!ev.target.classList.contains("save-post") || !tr) return;
  const body = { a: tr.querySelector(".post-a").value || null, b: tr.querySelector(".post-b").value || null };
  try {
    const p = await api("PUT", `${API}/posts/${encodeURIComponent(tr.dataset.post)}`, body);
    S.posts = S.posts.map((x) => (x.code === p.code ? p : x));
    say("posts-status", `${T.posts_saved}: ${p.code}`);
  } catch (e) {
    say("posts-status", `${T.error}: ${e.message}`, true);
  }
}

export function initPanels(state, hooks) {
  S = state;
  page = hooks;
  $("noon-day").addEventListener("change", loadNoon);
  $("leave-form").addEventListener("submit", addLeave);
  $("leave-list").addEventListener("click", deleteLeave);
  $("solve-form").addEventListener("submit", solve);
  $("posts").addEventListener("click", savePost);
}
