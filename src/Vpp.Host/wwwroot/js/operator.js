// Operator dashboard: fleet sums over SignalR (throttled by the server to 2 messages a second),
// grid, dispatches, market and Kafka from /portal/api/operations every 2 s.
"use strict";
let lastKafka = null;

function showFleet(f) {
  $("f-online").textContent = f.sitesOnline;
  $("f-stale").textContent = f.sitesStale;
  $("f-offline").textContent = f.sitesOffline;
  $("f-stored").textContent = fmt(f.storedKwh, 1);
  $("f-up").textContent = fmt(f.upKw, 1);
  $("f-down").textContent = fmt(f.downKw, 1);
  $("f-pv").textContent = fmt(f.pvKw, 1);
  $("f-load").textContent = fmt(f.loadKw, 1);
  $("f-grid").textContent = fmt(f.gridKw, 1);
  $("f-at").textContent = localTime(f.at);
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) tr.append(Object.assign(document.createElement("td"), { textContent: c }));
  return tr;
}

async function loadOperations() {
  const o = await api("GET", "/portal/api/operations");
  $("regions").replaceChildren(...o.regions.map((r) => row([r.region,
    r.frequency ? `${r.frequency.hz.toFixed(3)} Hz` : "no signal", r.flexibility.sites,
    `${fmt(r.flexibility.upKw, 1)} / ${fmt(r.flexibility.downKw, 1)}`])));
  const dispatches = o.regions.flatMap((r) => r.dispatches);
  $("dispatches").replaceChildren(...dispatches.map((d) => row([d.requestId, d.status.toLowerCase(),
    `${localDateTime(d.startsAt)} – ${localDateTime(d.endsAt)}`, fmt(d.requestedKw, 1), fmt(d.acceptedKw, 1), fmt(d.lastDeliveredKw, 1)])));
  $("dispatch-note").textContent = dispatches.length ? "" : "No dispatch running or coming.";
  $("market-days").replaceChildren(...o.market.days.map((d) => row([d.market, d.region, d.day, d.reason ? `${d.status}: ${d.reason}` : d.status,
    d.bidProducts, d.awardedProducts, fmt(d.awardedKwh, 1), fmt(d.deliveredKwh, 1), fmt(d.netEur, 2)])));
  $("market").textContent = o.market.note ?? "";

  const k = o.kafka, now = Date.now();
  $("kafka-topics").replaceChildren(...Object.entries(k.consumed).map(([topic, n]) => {
    const rate = lastKafka ? (n - (lastKafka.consumed[topic] ?? 0)) / ((now - lastKafka.at) / 1000) : null;
    return row([topic, n, rate == null ? "–" : rate.toFixed(1)]);
  }));
  $("kafka-lag").textContent = Object.values(k.lag).reduce((a, b) => a + b, 0);
  $("kafka-published").textContent = k.published;
  $("kafka-where").textContent = k.embedded ? `embedded broker ${k.bootstrapServers}` : k.bootstrapServers;
  lastKafka = { at: now, consumed: k.consumed };
}

async function start() {
  const me = await api("GET", "/auth/me");
  if (me.role !== "operator") { location.href = "/home.html"; return; }
  const hub = liveHub(async () => showFleet(await hub.invoke("JoinFleet")));
  hub.on("FleetSummary", showFleet);
  await hub.startLive();
  const sites = await hub.invoke("ListSites");
  $("sites").replaceChildren(...sites.map((s) => {
    const li = document.createElement("li");
    li.append(Object.assign(document.createElement("a"), { href: `/home.html?site=${encodeURIComponent(s.siteId)}`, textContent: `${s.name} (${s.siteId})` }));
    return li;
  }));
  await loadOperations();
  setInterval(() => loadOperations().catch(() => {}), 2000);
}

$("sign-out").addEventListener("click", signOut);
start().catch((e) => { $("conn").textContent = "error: " + e.message; });
