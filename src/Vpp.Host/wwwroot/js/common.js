// Shared by the dashboards: JSON calls with the session cookie, number formatting, the live hub.
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (v, digits = 2) => (v == null || Number.isNaN(v) ? "–" : Number(v).toFixed(digits));

/** fetch with JSON in and out; throws an Error carrying the problem's detail on a non-2xx answer. */
async function api(method, url, body) {
  const res = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && !url.startsWith("/auth/")) { location.href = "/"; throw new Error("Signed out"); }
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const errors = json?.errors ? Object.values(json.errors).flat().join(" ") : "";
    const err = new Error(errors || json?.detail || json?.title || res.statusText);
    err.status = res.status;
    throw err;
  }
  return json;
}

async function signOut() {
  await fetch("/auth/logout", { method: "POST", credentials: "same-origin" });
  location.href = "/";
}

/** The live hub with automatic reconnect; `onUp` runs after every (re)connect to join groups again. */
function liveHub(onUp) {
  const conn = new signalR.HubConnectionBuilder().withUrl("/hubs/live").withAutomaticReconnect().build();
  const badge = $("conn");
  const set = (text, ok) => { badge.textContent = text; badge.className = ok ? "badge ok" : "badge"; };
  conn.onreconnecting(() => set("reconnecting…", false));
  conn.onreconnected(async () => { set("live", true); await onUp(); });
  conn.onclose(() => set("disconnected", false));
  conn.startLive = async () => { await conn.start(); set("live", true); await onUp(); };
  return conn;
}

const localTime = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const localDateTime = (iso) => new Date(iso).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
