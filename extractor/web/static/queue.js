// The queue: j/k or arrows move between documents, Enter opens one.
"use strict";
(() => {
  const rows = [...document.querySelectorAll("#queue tbody tr[data-id]")];
  let at = 0;
  function mark() {
    rows.forEach((r, i) => r.classList.toggle("current", i === at));
    if (rows[at]) rows[at].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, select, textarea") || !rows.length) return;
    if (e.key === "j" || e.key === "ArrowDown") { at = Math.min(at + 1, rows.length - 1); mark(); }
    else if (e.key === "k" || e.key === "ArrowUp") { at = Math.max(at - 1, 0); mark(); }
    else if (e.key === "Enter") { rows[at].querySelector("a").click(); }
    else return;
    e.preventDefault();
  });
  mark();
})();
