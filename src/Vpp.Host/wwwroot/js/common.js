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

/**
 * Waits before live-connection attempt n (0 first): at once, then doubling from half a second up to
 * 30 s, for as long as the page is open; ±20 % jitter so pages do not come back in one wave after an outage.
 */
const retryDelayMs = (n) => (n === 0 ? 0 : Math.min(30_000, 500 * 2 ** (n - 1)) * (0.8 + 0.4 * Math.random()));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The live hub; `onUp` runs after every (re)connect to join groups again. SignalR's default retry
 * policy gives up after four attempts, and a failed first start is never retried: a page left open
 * through an outage would stay dead. Here every path retries until the host answers; an expired
 * session goes back to sign-in instead.
 */
function liveHub(onUp) {
  const signedOut = (e) => /\b401\b/.test(String(e?.message ?? e));
  const toSignIn = () => { location.href = "/"; return null; };
  const conn = new signalR.HubConnectionBuilder().withUrl("/hubs/live")
    .withAutomaticReconnect({
      nextRetryDelayInMilliseconds: (ctx) => (signedOut(ctx.retryReason) ? toSignIn() : retryDelayMs(ctx.previousRetryCount)),
    }).build();
  const badge = $("conn");
  const set = (text, ok) => { badge.textContent = text; badge.className = ok ? "badge ok" : "badge"; };
  conn.onreconnecting(() => set("reconnecting…", false));
  conn.onreconnected(async () => { set("live", true); await onUp(); });
  conn.onclose((e) => {
    set("disconnected", false);
    if (signedOut(e)) toSignIn();
    else conn.startLive().catch(() => {});
  });
  conn.startLive = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        await conn.start();
        break;
      } catch (e) {
        if (signedOut(e)) { toSignIn(); throw e; }
        set("reconnecting…", false);
        await sleep(retryDelayMs(attempt));
      }
    }
    set("live", true);
    await onUp();
  };
  return conn;
}

const localTime = (iso) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const localDateTime = (iso) => new Date(iso).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
