// The dashboard's view of the roster now (GET …/rosters/now, every 30 s): a red 缺岗 alert for
// each rostered clerk missing from their window, naming the B backup to call in, and the clerks
// at windows the roster does not name. A server without that endpoint (404) leaves both empty.
import { T, PAGE, fmt } from "/static/displays/hallq-live.js";
import { localTime } from "./dashboard-util.js";

const POLL_MS = 30_000;

export class RosterNow {
  constructor(api, changed) {
    this.api = api;
    this.changed = changed;
    this.now = null; // the last answer: {at, windows: [...], absences: [...]}
  }

  start() {
    if (!PAGE.roster_now) return this; // the server has no such endpoint: nothing to poll
    this.load();
    setInterval(() => this.load(), POLL_MS);
    return this;
  }

  async load() {
    try {
      this.now = await this.api("GET", `/api/halls/${PAGE.hall.slug}/rosters/now`);
    } catch (e) {
      if (e.status === 404) this.now = null; // keep the last answer through a passing error
    }
    this.changed();
  }

  // Alerts as the dashboard lists them: {cls, text, window}.
  alerts(today) {
    const out = [];
    for (const a of this.now?.absences || []) {
      const values = { window: a.window ?? "?", name: a.name || a.login, since: localTime(a.since, today, false), backup: a.backup ? a.backup.name || a.backup.login : "" };
      out.push({ cls: "red absent", text: fmt(a.backup ? T.alert_absent : T.alert_absent_no_backup, values), window: a.window });
    }
    return out;
  }

  // Whether the clerk at window ``n`` is there without a duty on the roster.
  unrostered(n) {
    return Boolean(this.now?.windows?.some((w) => w.window === n && w.unrostered));
  }
}
