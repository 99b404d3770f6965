// A window paused for lunch says so in its pause reason, whoever paused it (the clerk's console
// or the roster's runner): "午休，请到 N 号窗口办理 / Lunch break, please go to window N", or
// "午休，请到其他窗口办理 / Lunch break, please go to another window" when no window covers it.

export const isLunch = (reason) => typeof reason === "string" && reason.startsWith("午休");

// The window the visitors are sent to, or null ("another window").
export function lunchTo(reason) {
  const m = /请到\s*(\d+)\s*号窗口/.exec(reason || "");
  return m ? Number(m[1]) : null;
}

export function lunchReason(cover) {
  return cover
    ? `午休，请到 ${cover} 号窗口办理 / Lunch break, please go to window ${cover}`
    : "午休，请到其他窗口办理 / Lunch break, please go to another window";
}

// A "中文 / English" reason in the page's language (a reason in one language as it is).
export function reasonIn(reason, en) {
  const [zh, ...rest] = (reason || "").split(" / ");
  return en && rest.length ? rest.join(" / ") : zh;
}
