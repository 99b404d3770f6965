// The simulator page: polls what the virtual devices show and presses their keys.
const page = JSON.parse(document.getElementById("sim-page").textContent);
const en = page.lang === "en";
for (const el of document.querySelectorAll("[data-zh]")) el.textContent = en ? el.dataset.en : el.dataset.zh;
const api = `/simulator/api/${encodeURIComponent(page.hall)}`;
const KEYS = [
  ["call", "呼叫", "Call"], ["recall", "重呼", "Recall"], ["finish", "评价", "Finish"],
  ["pause", "暂停", "Pause"], ["no-show", "6 确认 过号", "6 OK no-show"], ["hold", "0 确认 挂起", "0 OK hold"],
  ["call-back", "3 确认 回呼", "3 OK call back"], ["cancel", "取消", "Cancel"],
];

async function post(path, body) {
  await fetch(`${api}/${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  refresh();
}

function el(tag, props = {}, ...children) {
  const { dataset, ...rest } = props; // dataset is read-only: copy its entries instead
  const node = Object.assign(document.createElement(tag), rest);
  Object.assign(node.dataset, dataset || {});
  node.append(...children);
  return node;
}

function windowCard(w) {
  const keys = el("div", { className: "keys" }, ...KEYS.map(([key, zh, enText]) =>
    el("button", { textContent: en ? enText : zh, onclick: () => post("press", { window: w.number, key }), dataset: { key } })));
  const rate = el("div", { className: "rate" }, en ? "Rate: " : "评价：", ...[5, 4, 3, 2, 1].map((s) =>
    el("button", { textContent: String(s), onclick: () => post("press", { window: w.number, score: s }), dataset: { score: s } })));
  return el("div", { className: "window", id: `window-${w.number}` },
    el("h2", { textContent: en ? `Window ${w.number}` : `${w.number} 号窗口` }),
    el("div", { className: "led", textContent: w.led.join("\n") }),
    el("p", {}, en ? "Pad: " : "呼叫器：", el("span", { className: "pad", textContent: w.pad }),
      ` ${en ? "beeps" : "蜂鸣"} ${w.beeps} · ${en ? "rating asked" : "请评价"} ${w.asked}`),
    keys, rate);
}

async function refresh() {
  const r = await fetch(api);
  if (!r.ok) return;
  const s = await r.json();
  document.getElementById("hall-led").textContent = s.hall_led.join("\n");
  document.getElementById("windows").replaceChildren(...s.windows.map(windowCard));
  document.getElementById("printer").textContent =
    `${en ? "slips" : "已打印"} ${s.printer.slips} · ${en ? "paper" : "纸"} ${s.printer.paper}\n\n${s.printer.lines.join("\n")}`;
  const traffic = Object.entries(s.lines).map(([name, line]) => el("div", {},
    el("h2", {}, `${name} `, el("button", {
      textContent: line.plugged ? (en ? "unplug" : "拔出") : (en ? "plug in" : "插回"),
      onclick: () => post("plug", { line: name, plugged: !line.plugged }),
    })),
    ...line.traffic.map((f) => el("div", { className: `frame ${f.dir}`,
      textContent: `${f.dir === "in" ? "→" : "←"} ${f.hex}` }))));
  document.getElementById("traffic").replaceChildren(...traffic);
}

refresh();
setInterval(refresh, 700);
