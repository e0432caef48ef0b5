// Shared by every page: the reviewer's name (kept in this browser) and API calls that
// carry the CSRF token. Plain JS, no build step, no network beyond this server.
"use strict";
const Review = (() => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const who = document.getElementById("reviewer");
  who.value = localStorage.getItem("reviewer") || "reviewer";
  who.addEventListener("change", () => localStorage.setItem("reviewer", who.value.trim()));
  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = {detail: response.statusText}; }
    return {status: response.status, data};
  }
  return {post, reviewer: () => who.value.trim() || "reviewer"};
})();
