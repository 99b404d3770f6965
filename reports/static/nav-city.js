// The nav's 城市 link, shown once the signed-in person may read the city view: a city manager
// goes to the hall they oversee (their own, with the halls below it), an administrator to this
// hall's. Hall managers and clerks never see it (the city view would refuse them).
export function showCityLink(me, hall) {
  const link = document.getElementById("nav-city");
  if (!link || (me.role !== "city" && me.role !== "admin")) return;
  const en = new URLSearchParams(location.search).get("lang") === "en";
  link.href = `/city/${encodeURIComponent(me.hall || hall)}${en ? "?lang=en" : ""}`;
  link.hidden = false;
}
