// The document view: decide flagged cells with the keyboard alone.
// Enter confirms, a number + Enter corrects, x marks blank, s takes the suggestion,
// Tab/j and Shift+Tab/k move between flags, p opens the page with every cell's box.
// Each decision is POSTed to /api/…/review; the answer (the document, rules re-run) is
// drawn at once and the next undecided flag is shown.
"use strict";
(() => {
  let doc = JSON.parse(document.getElementById("doc-data").textContent);
  const labels = JSON.parse(document.getElementById("label-data").textContent);
  const fileMissing = document.getElementById("file-missing");
  const $ = (id) => document.getElementById(id);
  const input = $("p-input");
  const crop = $("p-crop");
  const timings = (window.reviewTimings = []);
  let current = null;

  const cellMap = () => Object.fromEntries(doc.cells.map((c) => [c.key, c]));
  let cells = cellMap();
  const isPending = (c) => c.flagged && !c.review;
  const navKeys = () => doc.cells.filter((c) => c.flagged || c.review).map((c) => c.key);
  const pendingKeys = () => doc.cells.filter(isPending).map((c) => c.key);
  const shown = (v) => (v === null || v === undefined ? "(blank)" : String(v));
  // the cell's row id in the URL: a re-extraction (new boxes) gets a new crop, not a cached one
  const cropUrl = (key) =>
    `/api/documents/${doc.id}/cells/${encodeURIComponent(key)}/image?v=` +
    String(cells[key].version).split(".")[0];

  function drawTables() {
    for (const td of document.querySelectorAll("td[data-key]")) {
      const c = cells[td.dataset.key];
      if (!c) continue;
      td.textContent = c.value === null ? "" : String(c.value);
      td.className = "v";
      if (c.flagged) td.classList.add("flagged");
      if (c.review) td.classList.add("reviewed");
      if (c.value === null) td.classList.add("blank");
      for (const r of c.reasons) td.classList.add("r-" + r.split(":")[0]);
      if (c.key === current) td.classList.add("current");
      td.title = c.key + (c.reasons.length ? ": " + c.reasons.join(", ") : "");
    }
    const status = $("status");
    status.textContent = doc.status;
    status.className = "st " + doc.status;
    const pending = pendingKeys();
    $("pending-count").textContent = pending.length;
    $("done").hidden = pending.length > 0;
    const list = $("checks");
    list.replaceChildren();
    const failed = doc.checks.filter((ch) => !ch.ok);
    for (const ch of failed) {
      const li = document.createElement("li");
      li.textContent = `${ch.rule} [${ch.scope}]: expected ${ch.expected}, found ${ch.actual} (${ch.blame}) `;
      for (const k of ch.keys.filter((k) => cells[k] && (cells[k].flagged || cells[k].review))) {
        const a = document.createElement("a");
        a.href = "#" + k;
        a.textContent = (labels[k] || [k]).join(" · ");
        a.addEventListener("click", (e) => { e.preventDefault(); show(k); });
        li.append(a, " ");
      }
      list.append(li);
    }
    if (!failed.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = "none";
      list.append(li);
    }
  }

  function show(key) {
    const c = cells[key];
    if (!c) return Promise.resolve();
    current = key;
    $("panel").hidden = false;
    for (const td of document.querySelectorAll("td.current")) td.classList.remove("current");
    const td = document.querySelector(`td[data-key="${CSS.escape(key)}"]`);
    if (td) { td.classList.add("current"); td.scrollIntoView({block: "nearest"}); }
    refreshFacts(key);
    $("p-msg").textContent = "";
    input.value = "";
    input.focus();
    history.replaceState(null, "", "#" + key);
    const nocrop = $("p-nocrop");
    if (fileMissing || c.page === null || !c.bbox) {
      crop.hidden = true;
      nocrop.hidden = false;
      nocrop.textContent = fileMissing ? fileMissing.textContent : "no position recorded for this cell";
      return Promise.resolve();
    }
    crop.hidden = false;
    nocrop.hidden = true;
    crop.src = cropUrl(key);
    return crop.decode().catch(() => {
      crop.hidden = true;
      nocrop.hidden = false;
      nocrop.textContent = "the page image could not be shown";
    });
  }

  function refreshFacts(key) {
    const c = cells[key];
    const [row, col] = labels[key] || [key, ""];
    $("p-label").textContent = `${row} · ${col}`;
    $("p-key").textContent = key;
    $("p-value").textContent = shown(c.value);
    $("p-raw").textContent = c.raw === "" ? '""' : c.raw;
    $("p-conf").textContent = c.confidence.toFixed(2);
    $("p-reasons").textContent = c.reasons.join(", ") || "—";
    $("p-suggested").textContent = c.suggested === null ? "—" : String(c.suggested);
    $("p-review").textContent = c.review
      ? `${c.review.reviewer}, ${c.review.reviewed_at.slice(0, 19).replace("T", " ")}: ` +
        `${shown(c.review.old_value)} → ${shown(c.review.new_value)}`
      : "—";
  }

  function step(delta) {
    const keys = navKeys();
    if (!keys.length) return;
    const at = keys.indexOf(current);
    const next = at < 0 ? 0 : (at + delta + keys.length) % keys.length;
    show(keys[next]);
  }

  function nextPending(after) {
    const keys = doc.cells.map((c) => c.key);
    const start = Math.max(keys.indexOf(after), 0);
    for (let i = 1; i <= keys.length; i++) {
      const c = cells[keys[(start + i) % keys.length]];
      if (isPending(c)) return c.key;
    }
    return null;
  }

  function parseNumber(text) {
    const half = text
      .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
      .replace(/[,，\s]/g, "")
      .replace("．", ".")
      .replace("－", "-");
    if (!/^-?\d+(\.\d+)?$/.test(half)) return undefined;
    return half.includes(".") ? parseFloat(half) : parseInt(half, 10);
  }

  // A decision is drawn at once and the next flag shown without waiting for the server;
  // the POSTs go one after another, each naming the cell's version as this page last
  // saw it. The answer (rules re-run) then replaces the document; a refusal (409: the
  // cell changed since shown; 422) brings the cell back with the reason.
  let saving = Promise.resolve();
  function decide(value, started, note = null) {
    if (!current) return;
    const key = current;
    const c = cells[key];
    c.review = {reviewer: Review.reviewer(), reviewed_at: "", old_value: c.value,
                new_value: value, note};  // reviewed_at "": not yet saved
    c.value = value;
    c.flagged = false;
    c.source = "review";
    drawTables();
    const next = nextPending(key);
    const entry = {key, shown_ms: null, save_ms: null};
    const shownDone = (next ? show(next) : Promise.resolve()).then(() => {
      entry.shown_ms = performance.now() - started;
    });
    if (!next) $("p-msg").textContent = "All flags decided: saving…";
    const reviewer = Review.reviewer();
    saving = saving.then(async () => {
      let answer;
      try {
        answer = await Review.post(
          `/api/documents/${doc.id}/cells/${encodeURIComponent(key)}/review`,
          {value, reviewer, note, version: serverVersions[key]},
        );
      } catch (e) {
        answer = {status: 0, data: {detail: "not saved: " + e}};
      }
      entry.save_ms = performance.now() - started;
      if (answer.status === 200) {
        accept(answer.data);
        if (current && !isPending(cells[current]) && !cells[current].review && input.value === "") {
          const again = nextPending(current);  // the re-run rules cleared this one
          if (again) await show(again);
        }
        if (!pendingKeys().length) {
          $("p-msg").textContent = "All flags decided: the document is " + doc.status + ".";
        }
      } else {
        if (cells[key]) cells[key].review = null;  // refused: the server's state stands
        await reload();
        await show(key);
        $("p-msg").textContent = typeof answer.data.detail === "string"
          ? answer.data.detail : JSON.stringify(answer.data.detail);
      }
      await shownDone;
      timings.push(entry);
      console.log(`decision ${key}: next flag shown in ${entry.shown_ms.toFixed(0)} ms, ` +
                  `saved in ${entry.save_ms.toFixed(0)} ms`);
    });
  }

  // The versions the server last gave: what a decision says it was made on.
  let serverVersions = {};
  function accept(data) {
    const local = doc;
    doc = data;
    serverVersions = Object.fromEntries(doc.cells.map((c) => [c.key, c.version]));
    cells = cellMap();
    // decisions still on their way stay drawn as decided
    for (const c of local.cells) {
      const now = cells[c.key];
      if (c.review && c.review.reviewed_at === "" && now && (!now.review ||
          now.review.new_value !== c.review.new_value)) {
        cells[c.key] = c;
      }
    }
    doc.cells = doc.cells.map((c) => cells[c.key]);
    drawTables();
    if (current && input.value === "" && document.activeElement === input) refreshFacts(current);
    prefetch();  // re-run rules may have flagged other cells
  }

  async function reload() {
    const response = await fetch(`/api/documents/${doc.id}`, {credentials: "same-origin"});
    if (response.ok) accept(await response.json());
  }

  input.addEventListener("keydown", (e) => {
    const started = e.timeStamp || performance.now();  // when the key went down
    if (e.key === "Enter") {
      e.preventDefault();
      // "12", "12 # misprint", "# checked on paper": a value and/or a note after "#"
      const [numberPart, ...noteParts] = input.value.split("#");
      const text = numberPart.trim();
      const note = noteParts.length ? noteParts.join("#").trim() || null : null;
      if (text === "") return decide(cells[current].value, started, note);
      const value = parseNumber(text);
      if (value === undefined) { $("p-msg").textContent = `"${text}" is not a number`; return; }
      return decide(value, started, note);
    }
    if (input.value.includes("#") && e.key !== "Tab") return;  // typing a note: keys are text
    if (e.key === "Tab" || ((e.key === "j" || e.key === "k") && !e.ctrlKey && !e.metaKey)) {
      e.preventDefault();
      return step(e.key === "k" || (e.key === "Tab" && e.shiftKey) ? -1 : 1);
    }
    if (e.key === "x" || e.key === "X") { e.preventDefault(); return decide(null, started); }
    if (e.key === "s" || e.key === "S") {
      e.preventDefault();
      const s = cells[current].suggested;
      if (s === null) { $("p-msg").textContent = "no suggestion for this cell"; return; }
      return decide(s, started);
    }
    if (e.key === "p" || e.key === "P") {
      e.preventDefault();
      const c = cells[current];
      if (c.page) location.href = `/documents/${doc.id}/pages/${c.page}`;
      return;
    }
    if (e.key === "Escape") { input.value = ""; }
  });

  for (const td of document.querySelectorAll("td[data-key]")) {
    td.addEventListener("click", () => show(td.dataset.key));
  }

  // Fetch the crops of the flags to come, one after another, so each is ready when shown
  // (again after each decision: re-run rules may flag other cells).
  const fetched = new Set();
  let prefetching = null;
  function prefetch() {
    if (fileMissing || prefetching) return prefetching;
    prefetching = (async () => {
      for (const key of pendingKeys()) {
        const c = cells[key];
        const url = c.bbox && c.page !== null ? cropUrl(key) : null;
        if (!url || fetched.has(url)) continue;
        fetched.add(url);
        const img = new Image();
        img.src = url;
        try { await img.decode(); } catch (e) { /* tried again when shown */ }
      }
    })().finally(() => { prefetching = null; });
    return prefetching;
  }

  serverVersions = Object.fromEntries(doc.cells.map((c) => [c.key, c.version]));
  drawTables();
  const wanted = decodeURIComponent(location.hash.slice(1));
  const first = cells[wanted] ? wanted : pendingKeys()[0] || navKeys()[0];
  if (first) show(first);
  // window.reviewReady: resolves once the crops of the current flags are loaded
  window.reviewReady = Promise.resolve(prefetch()).then(() => true);
})();
