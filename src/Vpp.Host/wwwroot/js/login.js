// Sign-in page: a signed-in visitor goes straight to their dashboard.
"use strict";
const go = (me) => { location.href = me.role === "operator" ? "/operator.html" : "/home.html"; };

fetch("/auth/me", { credentials: "same-origin" }).then((r) => (r.ok ? r.json().then(go) : null));

async function submit(form, url, body, errorId) {
  $(errorId).textContent = "";
  try {
    go(await api("POST", url, body));
  } catch (e) {
    $(errorId).textContent = e.status === 429 ? "Too many attempts; wait a minute." : e.message;
  }
}

$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  submit(e.target, "/auth/login", { username: $("username").value, password: $("password").value }, "login-error");
});
$("operator-form").addEventListener("submit", (e) => {
  e.preventDefault();
  submit(e.target, "/auth/operator", { apiKey: $("api-key").value }, "operator-error");
});
