// A refusal next to the field it names. The server's 400 says which field in its message
// ("字段 end 无效 / body.end must be …", "end: 班次须在开始后结束 / end: …", or several:
// "lunch_earliest, lunch_latest: …"); ``showRefusal`` puts the message under each field the
// form has a ``.field-error[data-field]`` for, and answers whether any was found.
const FIELD = /[a-z][a-z0-9_]*/;

export function fieldsOf(message) {
  const named = [...message.matchAll(/\bbody\.([a-z][a-z0-9_]*)/g)].map((m) => m[1]);
  // "name, name: …" at the start of either language's half
  for (const half of message.split(" / ")) {
    const lead = half.match(/^\s*([a-z][a-z0-9_]*(?:\s*,\s*[a-z][a-z0-9_]*)*)\s*:/);
    if (lead) named.push(...lead[1].split(",").map((f) => f.trim()).filter((f) => FIELD.test(f)));
  }
  return [...new Set(named)];
}

export function clearRefusal(form) {
  form.querySelectorAll(".field-error").forEach((el) => {
    el.hidden = true;
    el.textContent = "";
  });
  form.querySelectorAll(".refused").forEach((el) => el.classList.remove("refused"));
}

export function showRefusal(form, message) {
  clearRefusal(form);
  let shown = false;
  for (const field of fieldsOf(message)) {
    const el = form.querySelector(`.field-error[data-field="${field}"]`);
    if (!el) continue;
    el.textContent = message;
    el.hidden = false;
    el.closest("label")?.querySelector("input, select")?.classList.add("refused");
    shown = true;
  }
  return shown;
}
