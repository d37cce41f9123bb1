// Homeowner dashboard: live flows over SignalR, history and today's energy over the portal API,
// grid events with opt-out, reserve and participation settings. Operators may open ?site=<id>.
"use strict";
let siteId = null;
let site = null;
let range = "24h";
const base = () => `/portal/api/sites/${encodeURIComponent(siteId)}`;

/** One flow line between two nodes; `kw` > 0 flows from a to b. */
function flowLine(a, b, kw, label) {
  const active = Math.abs(kw ?? 0) >= 0.01;
  const [from, to] = (kw ?? 0) >= 0 ? [a, b] : [b, a];
  const arrow = active ? ` marker-end="url(#arrow)"` : "";
  return `<line x1="${from[0]}" y1="${from[1]}" x2="${to[0]}" y2="${to[1]}" class="flow ${active ? "on" : "off"}"${arrow}><title>${label}</title></line>`;
}

function showState(s) {
  if (s.siteId !== siteId) return;
  $("h-status").textContent = s.status.toLowerCase();
  $("h-status").className = s.status.toLowerCase();
  $("h-pv").textContent = fmt(s.pvKw);
  $("h-battery").textContent = fmt(s.batteryKw);
  $("h-grid").textContent = fmt(s.gridKw);
  $("h-load").textContent = fmt(s.loadKw);
  $("h-at").textContent = localTime(s.at);
  const pv = [60, 40], bat = [60, 180], home = [170, 110], grid = [275, 110];
  // Arrows stop short of the circles: shorten each segment by the radii.
  const cut = (p, q, r) => { const dx = q[0] - p[0], dy = q[1] - p[1], l = Math.hypot(dx, dy); return [p[0] + (dx / l) * r, p[1] + (dy / l) * r]; };
  const seg = (p, q) => [cut(p, q, 32), cut(q, p, 38)];
  const [pvA, pvB] = seg(pv, home), [batA, batB] = seg(bat, home), [gA, gB] = seg(grid, home);
  $("flow-lines").innerHTML =
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
    flowLine(pvA, pvB, s.pvKw, "Solar to home") + flowLine(batA, batB, s.batteryKw, "Battery and home") + flowLine(gA, gB, s.gridKw, "Grid and home");
  const words = [];
  words.push(`Solar ${fmt(s.pvKw)} kW`);
  words.push(s.batteryKw > 0.01 ? `battery discharging ${fmt(s.batteryKw)} kW` : s.batteryKw < -0.01 ? `battery charging ${fmt(-s.batteryKw)} kW` : "battery idle");
  words.push(s.gridKw > 0.01 ? `importing ${fmt(s.gridKw)} kW` : s.gridKw < -0.01 ? `exporting ${fmt(-s.gridKw)} kW` : "no grid flow");
  $("flow-text").textContent = words.join(", ") + ".";
  const soc = s.socPct;
  $("h-soc").textContent = fmt(soc, 1);
  $("h-soc-fill").style.width = `${soc ?? 0}%`;
  $("h-reserve").textContent = fmt(s.backupReservePct, 0);
  $("h-reserve-line").style.left = `${s.backupReservePct}%`;
  $("h-devices").replaceChildren(...s.devices.map((d) => {
    const tr = document.createElement("tr");
    for (const text of [d.deviceId, d.kind.toLowerCase(), d.status.toLowerCase(), d.powerKw == null ? "–" : fmt(d.powerKw)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    tr.children[2].className = d.status.toLowerCase();
    return tr;
  }));
}

async function loadToday() {
  const e = await api("GET", `${base()}/energy/today`);
  $("e-use").textContent = fmt(e.consumptionKwh);
  $("e-self").textContent = fmt(e.selfSuppliedKwh);
  $("e-import").textContent = fmt(e.importKwh);
  $("e-export").textContent = fmt(e.exportKwh);
  $("e-pv").textContent = fmt(e.pvKwh);
  $("e-charge").textContent = fmt(e.batteryChargeKwh);
  $("e-discharge").textContent = fmt(e.batteryDischargeKwh);
}

async function loadHistory() {
  const h = await api("GET", `${base()}/history?range=${range}`);
  const from = new Date(h.from), to = new Date(h.to);
  const gapMs = (range === "24h" ? 15 : 60) * 60_000 * 2;
  const pts = (f) => h.points.map((p) => ({ t: new Date(p.start), v: f(p) }));
  plotLines($("chart-power"), [
    { cls: "pv", points: pts((p) => p.pv.meanKw) },
    { cls: "battery", points: pts((p) => p.battery.meanKw) },
    { cls: "gridflow", points: pts((p) => p.grid.meanKw) },
    { cls: "load", points: pts((p) => p.load.meanKw) },
  ], { from, to, gapMs, unit: "" });
  plotLines($("chart-soc"), [{ cls: "soc", points: pts((p) => p.socPctEnd) }], { from, to, min: 0, max: 100, gapMs, hline: site?.backupReservePct, unit: "" });
  $("hist-note").textContent = h.points.length === 0 ? "No readings in this range yet." : `${h.points.length} points, ${h.resolution} each.`;
}

async function loadEvents() {
  const ev = await api("GET", `${base()}/events`);
  $("events-note").textContent = !ev.participating ? "Your home does not take part in grid events (see settings)."
    : ev.events.length === 0 ? "No grid events running or coming." : "";
  $("events").replaceChildren(...ev.events.map((e) => {
    const li = document.createElement("li");
    const what = e.direction === "discharge" ? "Battery supports the grid" : "Battery soaks up surplus";
    li.innerHTML = `<strong></strong> <span class="muted"></span> `;
    li.children[0].textContent = `${what} (${e.status})`;
    li.children[1].textContent = `${localDateTime(e.startsAt)} – ${localDateTime(e.endsAt)}`;
    if (e.optedOut) {
      li.append(Object.assign(document.createElement("span"), { className: "tag", textContent: "opted out" }));
    } else {
      const b = Object.assign(document.createElement("button"), { type: "button", textContent: "Opt out of this event" });
      b.dataset.requestId = e.requestId;
      b.addEventListener("click", async () => {
        b.disabled = true;
        try { await api("POST", `${base()}/events/${encodeURIComponent(e.requestId)}/opt-out`); await loadEvents(); }
        catch (err) { b.disabled = false; $("events-note").textContent = err.message; }
      });
      li.append(b);
    }
    return li;
  }));
}

function showSettings() {
  const r = $("reserve");
  r.min = site.minBackupReservePct;
  r.max = site.maxBackupReservePct;
  r.value = site.backupReservePct;
  $("reserve-out").textContent = site.backupReservePct;
  $("participating").checked = site.participating;
}

async function saveSettings(ev) {
  ev.preventDefault();
  $("settings-msg").textContent = "Saving…";
  try {
    const s = await api("PUT", `${base()}/preferences`, { backupReservePct: Number($("reserve").value), participating: $("participating").checked });
    site.backupReservePct = s.backupReservePct;
    site.participating = s.participating;
    $("settings-msg").textContent = `Saved: reserve ${s.backupReservePct} %, ${s.participating ? "taking part" : "not taking part"} in grid events.`;
    await loadEvents();
  } catch (e) {
    $("settings-msg").textContent = "Not saved: " + e.message;
  }
}

/** Earnings to date from market settlement, or the API's note when nothing has been settled. */
async function loadEarnings() {
  const e = await api("GET", `${base()}/earnings`);
  $("earnings").textContent = e.totalEarned == null ? e.note
    : `${e.totalEarned.toFixed(2)} ${e.currency} for ${fmt(e.deliveredKwh)} kWh delivered in ${e.settledProducts} settled market products`;
}

async function start() {
  const me = await api("GET", "/auth/me");
  siteId = me.role === "operator" ? new URLSearchParams(location.search).get("site") : me.siteId;
  if (!siteId) { location.href = "/operator.html"; return; }
  site = await api("GET", base());
  $("h-name").textContent = site.name;
  document.title = `VPP — ${site.name}`;
  showSettings();
  const hub = liveHub(async () => showState(await hub.invoke("JoinSite", siteId)));
  hub.on("SiteState", showState);
  await hub.startLive();
  await Promise.all([loadToday(), loadHistory(), loadEvents(), loadEarnings()]);
  setInterval(() => loadToday().catch(() => {}), 60_000);
  setInterval(() => loadEvents().catch(() => {}), 30_000);
  setInterval(() => loadEarnings().catch(() => {}), 60_000);
  setInterval(() => loadHistory().catch(() => {}), 5 * 60_000);
}

$("sign-out").addEventListener("click", signOut);
$("reserve").addEventListener("input", () => { $("reserve-out").textContent = $("reserve").value; });
$("settings-form").addEventListener("submit", saveSettings);
for (const b of document.querySelectorAll(".tabs button")) {
  b.addEventListener("click", async () => {
    range = b.dataset.range;
    for (const o of document.querySelectorAll(".tabs button")) o.setAttribute("aria-pressed", String(o === b));
    await loadHistory();
  });
}
start().catch((e) => { $("conn").textContent = "error: " + e.message; });
