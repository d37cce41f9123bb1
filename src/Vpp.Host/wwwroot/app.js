// Minimal live view: fleet summary plus one site's numbers, pushed over SignalR (/hubs/live).
"use strict";
const $ = (id) => document.getElementById(id);
const kw = (v) => (v ?? 0).toFixed(2);
const conn = new signalR.HubConnectionBuilder().withUrl("/hubs/live").withAutomaticReconnect().build();
let currentSite = null;

function showFleet(f) {
  $("f-online").textContent = f.sitesOnline;
  $("f-stale").textContent = f.sitesStale;
  $("f-offline").textContent = f.sitesOffline;
  $("f-stored").textContent = kw(f.storedKwh);
  $("f-up").textContent = kw(f.upKw);
  $("f-down").textContent = kw(f.downKw);
  $("f-pv").textContent = kw(f.pvKw);
  $("f-load").textContent = kw(f.loadKw);
  $("f-grid").textContent = kw(f.gridKw);
  $("f-at").textContent = new Date(f.at).toLocaleTimeString();
}

function showSite(s) {
  if (s.siteId !== currentSite) return;
  $("s-status").textContent = s.status;
  $("s-status").className = s.status;
  $("s-pv").textContent = kw(s.pvKw);
  $("s-battery").textContent = kw(s.batteryKw);
  $("s-grid").textContent = kw(s.gridKw);
  $("s-load").textContent = kw(s.loadKw);
  $("s-soc").textContent = s.socPct == null ? "–" : s.socPct.toFixed(1);
  $("s-reserve").textContent = s.backupReservePct;
  $("s-up").textContent = kw(s.flexibility.upKw);
  $("s-upmin").textContent = s.flexibility.upMinutes.toFixed(0);
  $("s-down").textContent = kw(s.flexibility.downKw);
  $("s-downmin").textContent = s.flexibility.downMinutes.toFixed(0);
  $("s-at").textContent = new Date(s.at).toLocaleTimeString();
  const rows = s.devices.map((d) => {
    const tr = document.createElement("tr");
    for (const text of [d.deviceId, d.kind, d.status, d.powerKw == null ? "–" : kw(d.powerKw)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    tr.children[2].className = d.status;
    return tr;
  });
  $("s-devices").replaceChildren(...rows);
}

async function selectSite(siteId) {
  if (currentSite) await conn.invoke("LeaveSite", currentSite);
  currentSite = siteId;
  history.replaceState(null, "", "?site=" + encodeURIComponent(siteId));
  showSite(await conn.invoke("JoinSite", siteId));
}

async function start() {
  await conn.start();
  $("conn").textContent = "live";
  $("conn").className = "badge ok";
  showFleet(await conn.invoke("JoinFleet"));
  const sites = await conn.invoke("ListSites");
  const select = $("site-select");
  select.replaceChildren(...sites.map((s) => new Option(`${s.name} (${s.siteId})`, s.siteId)));
  const wanted = new URLSearchParams(location.search).get("site");
  const first = sites.find((s) => s.siteId === wanted) ?? sites[0];
  if (first) { select.value = first.siteId; await selectSite(first.siteId); }
  select.addEventListener("change", () => selectSite(select.value));
}

conn.on("FleetSummary", showFleet);
conn.on("SiteState", showSite);
conn.onreconnecting(() => { $("conn").textContent = "reconnecting…"; $("conn").className = "badge"; });
conn.onreconnected(async () => {
  $("conn").textContent = "live"; $("conn").className = "badge ok";
  showFleet(await conn.invoke("JoinFleet"));
  if (currentSite) showSite(await conn.invoke("JoinSite", currentSite));
});
start().catch((e) => { $("conn").textContent = "error: " + e; });
