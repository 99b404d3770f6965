// The 工作人员 page: the hall's staff registry (department, skills with weights, A/B partner,
// active); add, edit and deactivate a clerk, unlock a clerk's sign-in, reset their password. A first password, when
// the server makes one and answers it, is shown this once.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { esc } from "./dashboard-util.js";
import { api, openBoard } from "./pages-auth.js";

const API = `/api/halls/${PAGE.hall.slug}`;
const S = { staff: [], editing: null };
window.hallqStaff = S;

const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};
const nameOf = (login) => S.staff.find((m) => m.login === login)?.name || login || "";
export const skillsText = (skills) => skills.map((s) => (s.weight === 1 ? s.service : `${s.service}:${s.weight}`)).join(", ");
// "A, B:0.5" → [{service: "A", weight: 1}, {service: "B", weight: 0.5}]
export function parseSkills(text) {
  return text.split(/[,，;；\s]+/).filter(Boolean).map((part) => {
    const [service, weight] = part.split(/[:：]/);
    return { service: service.trim().toUpperCase(), weight: weight === undefined ? 1 : Number(weight) };
  });
}

async function load() {
  S.staff = (await api("GET", `${API}/staff`)).staff;
  draw();
}

function draw() {
  const all = $("show-inactive").checked;
  const rows = S.staff.filter((m) => all || m.active).map((m) => `<tr data-login="${esc(m.login)}" class="${m.active ? "" : "inactive"}">
    <td>${esc(m.login)}</td><td class="name">${esc(m.name)}</td><td>${esc(m.department || T.none)}</td>
    <td class="skills">${esc(skillsText(m.skills) || T.none)}</td><td class="partner">${esc(m.partner ? nameOf(m.partner) : T.none)}</td>
    <td class="state">${esc(m.active ? T.active_yes : T.active_no)}</td>
    <td>${m.active ? `<div class="row-actions"><button type="button" class="small edit">${esc(T.edit)}</button>
      <button type="button" class="small secondary deactivate">${esc(T.deactivate)}</button>
      <button type="button" class="small secondary unlock">${esc(T.unlock)}</button>
      <button type="button" class="small secondary reset">${esc(T.reset_password)}</button></div>` : ""}</td></tr>`);
  $("staff").querySelector("tbody").innerHTML = rows.join("");
  fillPartners();
}

function fillPartners() {
  const chosen = $("f-partner").value;
  const others = S.staff.filter((m) => m.active && m.login !== S.editing);
  $("f-partner").innerHTML = `<option value="">${esc(T.nobody)}</option>` + others
    .map((m) => `<option value="${esc(m.login)}">${esc(m.name)} (${esc(m.login)})</option>`).join("");
  $("f-partner").value = others.some((m) => m.login === chosen) ? chosen : "";
}

function edit(login) {
  const m = S.staff.find((x) => x.login === login);
  S.editing = login;
  $("form-title").textContent = `${T.edit} · ${m.name}`;
  $("f-login").value = m.login;
  $("f-login").readOnly = true;
  $("f-name").value = m.name;
  $("f-department").value = m.department || "";
  $("f-skills").value = skillsText(m.skills);
  fillPartners();
  $("f-partner").value = m.partner || "";
  say("form-status", "");
  $("f-name").focus();
}

function blank() {
  S.editing = null;
  $("staff-form").reset();
  $("f-login").readOnly = false;
  $("form-title").textContent = T.add_staff;
  fillPartners();
  say("form-status", "");
}

async function save(ev) {
  ev.preventDefault();
  const body = {
    name: $("f-name").value.trim(), department: $("f-department").value.trim(),
    skills: parseSkills($("f-skills").value), partner: $("f-partner").value || null,
  };
  try {
    const r = S.editing
      ? await api("PATCH", `${API}/staff/${encodeURIComponent(S.editing)}`, body)
      : await api("POST", `${API}/staff`, { login: $("f-login").value.trim(), ...body });
    $("password-box").hidden = !r.password;
    if (r.password) {
      $("password-for").textContent = fmt(T.one_time_password, { name: r.name });
      $("password").textContent = r.password;
    }
    say("staff-status", fmt(T.staff_saved, { name: r.name }));
    blank();
    await load();
  } catch (e) {
    say("form-status", `${T.error}: ${e.message}`, true);
  }
}

async function act(ev) {
  const tr = ev.target.closest("tr[data-login]");
  if (!tr || ev.target.tagName !== "BUTTON") return;
  const login = tr.dataset.login;
  try {
    if (ev.target.classList.contains("edit")) return edit(login);
    if (ev.target.classList.contains("deactivate")) {
      if (!confirm(fmt(T.deactivate_confirm, { name: nameOf(login) }))) return;
      await api("POST", `${API}/staff/${encodeURIComponent(login)}/deactivate`);
      if (S.editing === login) blank();
      say("staff-status", `${T.active_no}: ${nameOf(login)}`);
      await load();
    } else if (ev.target.classList.contains("unlock")) {
      await api("POST", `${API}/accounts/${encodeURIComponent(login)}/unlock`);
      say("staff-status", fmt(T.unlocked, { name: nameOf(login) }));
    } else if (ev.target.classList.contains("reset")) {
      if (!confirm(fmt(T.reset_confirm, { name: nameOf(login) }))) return;
      const r = await api("POST", `${API}/accounts/${encodeURIComponent(login)}/password`);
      $("password-for").textContent = fmt(T.new_password, { name: nameOf(login) });
      $("password").textContent = r.password;
      $("password-box").hidden = false;
    }
  } catch (e) {
    say("staff-status", `${T.error}: ${e.message}`, true);
  }
}

$("staff-form").addEventListener("submit", save);
$("f-cancel").addEventListener("click", blank);
$("add-staff").addEventListener("click", () => {
  blank();
  $("f-login").focus();
});
$("staff").addEventListener("click", act);
$("show-inactive").addEventListener("change", draw);

openBoard(load, (e) => say("staff-status", `${T.error}: ${e.message}`, true));
