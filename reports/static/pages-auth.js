// The staffing pages' sign-in, as the dashboard's: a session cookie and its CSRF token, sent as
// X-CSRF-Token on every change. ``signIn(ready)`` shows the form until a manager is signed in,
// then calls ``ready(me)``; ``openBoard`` is that for a page: its board shown and filled, then
// marked ready; ``api`` is the JSON request helper with the token added.
import { PAGE, $, api as request } from "/static/displays/hallq-live.js";
import { showCityLink } from "./nav-city.js";

let csrf = null;
export const api = (method, path, body) => request(method, path, body, csrf ? { "X-CSRF-Token": csrf } : {});

export async function signIn(ready) {
  const done = (me) => {
    csrf = me.csrf_token;
    $("who").textContent = me.name;
    $("login").hidden = true;
    showCityLink(me, PAGE.hall.slug);
    ready(me);
  };
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("login-error").hidden = true;
    try {
      const r = await api("POST", "/api/auth/login", { username: $("username").value, password: $("password").value });
      done({ ...r.user, csrf_token: r.csrf_token });
    } catch (e) {
      $("login-error").textContent = `${e.message}`;
      $("login-error").hidden = false;
    }
  });
  if (!PAGE.signed_in) {
    $("login").hidden = false;
    return;
  }
  try {
    done(await api("GET", "/api/auth/me"));
  } catch (e) {
    $("login").hidden = false;
  }
}

/** Once signed in: show the board, fill it with ``start``, then mark the page ready (the tests
 * wait for that); whatever ``start`` throws goes to ``failed``. */
export function openBoard(start, failed) {
  signIn(async () => {
    $("board").hidden = false;
    try {
      await start();
      document.body.dataset.ready = "1";
    } catch (e) {
      failed(e);
    }
  });
}
