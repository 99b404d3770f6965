// The city page: the hall and every hall below it, live (read again every few seconds, alerts
// red) and ranked over a period on a measure (a table and a bar chart), each hall's name a link
// into its dashboard. Everything shown comes from the city API, which decides who may read it.
import { PAGE, T, $ } from "/static/displays/hallq-live.js";
import { api, openBoard } from "./pages-auth.js";

const base = `/api/cities/${PAGE.city}`;
const en = PAGE.lang === "en";
const suffix = en ? "?lang=en" : "";
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const name = (h) => (en ? h.name_en : h.name_zh);
const level = (h) => `<span class="level level-${esc(h.level)}">${esc(T[`city_level_${h.level}`] || h.level)}</span>`;
const link = (h) => `<a href="/dashboard/${encodeURIComponent(h.slug)}${suffix}" data-slug="${esc(h.slug)}">${esc(name(h))}</a>`;
const LEVEL_COLOURS = { city: "#2f6fd0", county: "#2e9d7b", township: "#c9a227", village: "#9b59b6" };

function duration(s) {
  if (!s) return "0:00";
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}` : `${m}:${String(s % 60).padStart(2, "0")}`;
}

function alerts(a) {
  const out = [];
  if (a.absent) out.push(`${T.city_absent} ${a.absent}`);
  if (a.overdue_cases) out.push(`${T.city_overdue} ${a.overdue_cases}`);
  if (a.devices_offline) out.push(`${T.city_offline} ${a.devices_offline}`);
  return out.length ? out.map((x) => `<span class="alert">${esc(x)}</span>`).join("") : `<span class="note">${esc(T.city_no_alerts)}</span>`;
}

async function loadLive() {
  try {
    const found = await api("GET", `${base}/live`);
    const body = $("live").querySelector("tbody");
    body.innerHTML = "";
    for (const h of found.halls) {
      const tr = document.createElement("tr");
      tr.dataset.slug = h.slug;
      tr.dataset.depth = h.depth;
      tr.classList.toggle("alerting", h.alert_count > 0);
      tr.innerHTML = `<td class="hall" style="--depth:${h.depth}">${link(h)}</td><td>${level(h)}</td>
        <td class="num open">${h.open_windows} / ${h.windows}</td><td class="num waiting">${h.waiting}</td>
        <td class="num longest long-${esc(h.longest_wait_level)}">${duration(h.longest_wait_s)}</td><td class="alerts">${alerts(h.alerts)}</td>`;
      body.append(tr);
    }
    $("live-at").textContent = new Date(found.at).toLocaleTimeString(en ? "en-GB" : "zh-CN", { timeZone: PAGE.timezone });
    $("live").dataset.at = found.at;
    $("live-error").hidden = true;
  } catch (e) {
    $("live-error").textContent = `${T.city_error}: ${e.message}`;
    $("live-error").hidden = false;
  }
}

// Dates as YYYY-MM-DD, counted back from the hall's business day.
function daysBefore(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

function setPeriod() {
  const span = { today: 0, week: 6, month: 29 }[$("period").value];
  const custom = span === undefined;
  $("from").disabled = $("to").disabled = !custom;
  if (!custom) {
    $("to").value = PAGE.business_day;
    $("from").value = daysBefore(PAGE.business_day, span);
  }
}

function shown(measure, v) {
  if (v == null) return "–";
  if (measure === "wait_mean" || measure === "wait_p90") return `${(v / 60).toFixed(1)} ${T.city_minutes}`;
  if (measure === "within_target" || measure === "satisfied_share") return `${(v * 100).toFixed(1)}%`;
  return String(Math.round(v));
}

let chart = null;

function draw(found) {
  const el = $("rank-chart");
  if (!window.echarts) return;
  chart = chart || window.echarts.init(el, null, { renderer: "canvas" });
  const rows = found.halls.filter((h) => h.value != null);
  const percent = found.measure === "within_target" || found.measure === "satisfied_share";
  const minutes = found.measure === "wait_mean" || found.measure === "wait_p90";
  const value = (v) => (percent ? +(v * 100).toFixed(1) : minutes ? +(v / 60).toFixed(1) : v);
  chart.setOption(
    {
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      textStyle: { color: "#c9d4e3" },
      xAxis: { type: "value", axisLabel: { color: "#9fb0c8", formatter: percent ? "{value}%" : "{value}" }, splitLine: { lineStyle: { color: "#24344d" } } },
      yAxis: { type: "category", inverse: true, data: rows.map(name), axisLabel: { color: "#c9d4e3", width: 150, overflow: "truncate" } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      series: [{
        type: "bar",
        name: T[`city_m_${found.measure}`],
        data: rows.map((h) => ({ value: value(h.value), itemStyle: { color: LEVEL_COLOURS[h.level] || "#2f6fd0" } })),
        label: { show: true, position: "right", color: "#c9d4e3" },
      }],
    },
    true,
  );
  chart.resize();
}

async function loadRanking() {
  const q = new URLSearchParams({ from: $("from").value, to: $("to").value, measure: $("measure").value });
  try {
    const found = await api("GET", `${base}/reports?${q}`);
    const body = $("ranking").querySelector("tbody");
    body.innerHTML = "";
    for (const h of found.halls) {
      const tr = document.createElement("tr");
      tr.dataset.slug = h.slug;
      const change = h.change == null || h.change === 0 ? "–" : h.change > 0 ? `<span class="up">▲${h.change}</span>` : `<span class="down">▼${-h.change}</span>`;
      tr.innerHTML = `<td class="num rank">${h.rank ?? "–"}</td><td>${level(h)} ${link(h)}</td>
        <td class="num value">${esc(h.rank == null ? T.city_unranked : shown(found.measure, h.value))}</td>
        <td class="num">${h.previous_rank ?? "–"}</td><td class="num change">${change}</td>`;
      body.append(tr);
    }
    $("rank-note").textContent = `${found.from} – ${found.to} · ${T.city_previous_period} ${found.previous.from} – ${found.previous.to}`;
    $("ranking").dataset.measure = found.measure;
    $("rank-error").hidden = true;
    draw(found);
  } catch (e) {
    $("rank-error").textContent = `${T.city_error}: ${e.message}`;
    $("rank-error").hidden = false;
  }
}

openBoard(
  async () => {
    setPeriod();
    $("period").addEventListener("change", () => {
      setPeriod();
      if ($("period").value !== "custom") loadRanking();
    });
    $("measure").addEventListener("change", loadRanking);
    $("rank-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      loadRanking();
    });
    window.addEventListener("resize", () => chart && chart.resize());
    await Promise.all([loadLive(), loadRanking()]);
    setInterval(loadLive, (PAGE.poll_s || 5) * 1000);
  },
  (e) => {
    $("live-error").textContent = `${T.city_error}: ${e.message}`;
    $("live-error").hidden = false;
  },
);
