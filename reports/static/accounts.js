// The 账号 page: the hall's manager and clerk accounts (role, the staff record they are linked
// to, disabled, held back by failed sign-ins, last sign-in); create one (a one-time password,
// when the server makes it, shown this once), reset a password, disable and enable, unlock.
// A clerk's department, skills and partner stay on the 工作人员 page, linked from here.
import { T, PAGE, $, fmt } from "/static/displays/hallq-live.js";
import { esc, localTime } from "./dashboard-util.js";
import { api, openBoard } from "./pages-auth.js";
import { clearRefusal, showRefusal } from "./pages-fields.js";

const API = `/api/halls/${PAGE.hall.slug}`;
const STAFF_PAGE = `/dashboard/${PAGE.hall.slug}/staff${PAGE.lang === "en" ? "?lang=en" : ""}`;
const S = { accounts: [], me: null, admin: false };
window.hallqAccounts = S;

const say = (id, text, bad = false) => {
  $(id).textContent = text;
  $(id).classList.toggle("error", bad);
};
const nameOf = (username) => S.accounts.find((a) => a.username === username)?.display_name || username;
const showPassword = (label, password) => {
  $("password-for").textContent = label;
  $("password").textContent = password;
  $("password-box").hidden = false;
};

function stateText(a) {
  const parts = [a.disabled ? T.mg_disabled : T.mg_enabled];
  if (a.locked) parts.push(fmt(T.mg_locked, { n: a.failures }));
  else if (a.failures) parts.push(fmt(T.mg_failures, { n: a.failures }));
  return parts.join(" · ");
}

// Nobody disables their own account; a manager resets, disables and enables clerks' (an
// administrator managers' too), and unlocks anyone's sign-in.
function actions(a) {
  if (a.username === S.me) return "";
  const b = (cls, text) => `<button type="button" class="small secondary ${cls}">${esc(text)}</button>`;
  const mine = a.role === "clerk" || S.admin;
  const switched = a.disabled ? b("enable", T.mg_enable) : b("disable", T.mg_disable);
  return `<div class="row-actions">${mine ? b("reset", T.reset_password) + switched : ""}${
    a.locked || a.failures ? b("unlock", T.unlock) : ""}</div>`;
}

async function load() {
  S.accounts = (await api("GET", `${API}/accounts`)).accounts;
  $("accounts").querySelector("tbody").innerHTML = S.accounts.map((a) => `<tr data-username="${esc(a.username)}"
    class="${a.disabled ? "inactive" : ""}${a.locked ? " locked" : ""}">
    <td>${esc(a.username)}${a.username === S.me ? esc(T.mg_you) : ""}</td><td class="name">${esc(a.display_name)}</td>
    <td>${esc(T[`mg_role_${a.role}`] || a.role)}</td>
    <td class="staff">${a.staff ? `<a href="${STAFF_PAGE}">${esc(a.staff)}</a>` : esc(a.role === "clerk" ? T.mg_staff_none : T.none)}</td>
    <td class="state">${esc(stateText(a))}</td>
    <td>${esc(a.last_sign_in ? localTime(a.last_sign_in, PAGE.business_day, false) : T.mg_never)}</td>
    <td>${actions(a)}</td></tr>`).join("");
}

async function create(ev) {
  ev.preventDefault();
  clearRefusal($("account-form"));
  say("form-status", "");
  const body = { username: $("f-username").value.trim(), role: $("f-role").value };
  if ($("f-display-name").value.trim()) body.display_name = $("f-display-name").value.trim();
  if ($("f-password").value) body.password = $("f-password").value;
  try {
    const r = await api("POST", `${API}/accounts`, body);
    $("password-box").hidden = true;
    if (r.password) showPassword(fmt(T.one_time_password, { name: r.display_name }), r.password);
    $("account-form").reset();
    await load();
    say("accounts-status", fmt(T.mg_account_made, { name: r.display_name }));
  } catch (e) {
    if (!showRefusal($("account-form"), e.message)) say("form-status", `${T.error}: ${e.message}`, true);
  }
}

async function act(ev) {
  const tr = ev.target.closest("tr[data-username]");
  if (!tr || ev.target.tagName !== "BUTTON") return;
  const username = tr.dataset.username;
  const name = nameOf(username);
  const path = `${API}/accounts/${encodeURIComponent(username)}`;
  const is = (cls) => ev.target.classList.contains(cls);
  try {
    let done = "";
    if (is("disable")) {
      if (!confirm(fmt(T.mg_disable_confirm, { name }))) return;
      await api("POST", `${path}/disable`);
      done = fmt(T.mg_disabled_ok, { name });
    } else if (is("enable")) {
      await api("POST", `${path}/enable`);
      done = fmt(T.mg_enabled_ok, { name });
    } else if (is("unlock")) {
      await api("POST", `${path}/unlock`);
      done = fmt(T.unlocked, { name });
    } else if (is("reset")) {
      if (!confirm(fmt(T.reset_confirm, { name }))) return;
      const r = await api("POST", `${path}/password`);
      showPassword(fmt(T.new_password, { name }), r.password);
    }
    await load();
    say("accounts-status", done); // after the table is redrawn: what it says is what the table shows
  } catch (e) {
    say("accounts-status", `${T.error}: ${e.message}`, true);
  }
}

$("account-form").addEventListener("submit", create);
$("accounts").addEventListener("click", act);

openBoard(async () => {
  const me = await api("GET", "/api/auth/me");
  S.me = me.name;
  S.admin = me.role === "admin";
  // Only an administrator makes a manager's account: a manager is offered clerks only.
  $("f-role").querySelector('option[value="manager"]').hidden = !S.admin;
  $("f-role").querySelector('option[value="manager"]').disabled = !S.admin;
  await load();
}, (e) => say("accounts-status", `${T.error}: ${e.message}`, true));
