// reskontra's desk: the little the pages do in the browser. No network but this server.
"use strict";

// An organisation number's check digit (Luhn over the last ten digits), as it is typed.
function orgnrHint(input) {
  const hint = document.getElementById(input.id + "_hint");
  if (!hint) return;
  const digits = input.value.replace(/\D/g, "");
  if (digits.length === 0) { hint.textContent = ""; hint.className = "hint"; return; }
  const ten = digits.length === 12 ? digits.slice(2) : digits;
  if (ten.length !== 10) {
    hint.textContent = "Tio siffror, till exempel 212000-0142.";
    hint.className = "hint bad";
    return;
  }
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(ten[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  const ok = sum % 10 === 0;
  hint.textContent = ok ? "Kontrollsiffran stämmer." : "Kontrollsiffran stämmer inte: kontrollera numret.";
  hint.className = ok ? "hint good" : "hint bad";
}

// Drag and drop onto the upload area.
function dropZone(zone, input) {
  ["dragenter", "dragover"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => zone.addEventListener(t, () => zone.classList.remove("over")));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files;
  });
}

// Follow a job: poll its status, move the bar, go on when it ends.
function follow(job) {
  const bar = document.getElementById("bar");
  const percent = document.getElementById("percent");
  const stage = document.getElementById("stage");
  const tick = () => {
    fetch(job.dataset.status, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((s) => {
        if (s.state === "done") { window.location.href = job.dataset.done; return; }
        if (s.state === "failed" || s.state === "none") { window.location.href = job.dataset.failed; return; }
        bar.value = s.percent;
        percent.textContent = s.percent + " %";
        stage.textContent = s.stage;
        setTimeout(tick, 400);
      })
      .catch(() => setTimeout(tick, 1000));
  };
  tick();
}

// A long list: show only the rows holding the searched words.
function searchRows(input) {
  const table = document.getElementById(input.dataset.filter);
  if (!table) return;
  input.addEventListener("input", () => {
    const words = input.value.toLowerCase().split(/\s+/).filter((w) => w);
    table.querySelectorAll("tbody tr").forEach((row) => {
      const text = row.textContent.toLowerCase();
      row.hidden = !words.every((w) => text.includes(w));
    });
  });
}

// Sort a table by the column whose heading is clicked (again: the other way).
function sortable(table) {
  table.querySelectorAll("th[data-sort]").forEach((th) => {
    th.classList.add("sorts");
    th.addEventListener("click", () => {
      const index = Array.from(th.parentNode.children).indexOf(th);
      const numeric = th.dataset.sort === "number";
      const down = th.dataset.dir !== "down";
      th.dataset.dir = down ? "down" : "up";
      const body = table.tBodies[0];
      const key = (row) => {
        const cell = row.children[index];
        const v = cell ? (cell.dataset.value || cell.textContent.trim()) : "";
        return numeric ? Number(v) || 0 : v.toLowerCase();
      };
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const c = numeric ? x - y : x.localeCompare(y, "sv");
        return down ? -c : c;
      });
      rows.forEach((r) => body.appendChild(r));
    });
  });
}

// Mark every (shown) row of a list at once.
function pickAll(box) {
  box.addEventListener("change", () => {
    document.querySelectorAll("input.pick").forEach((p) => {
      if (!p.closest("tr").hidden) p.checked = box.checked;
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-filter]").forEach(searchRows);
  document.querySelectorAll("table.sortable").forEach(sortable);
  const all = document.getElementById("pick-all");
  if (all) pickAll(all);
  document.querySelectorAll("input[data-orgnr]").forEach((i) => {
    i.addEventListener("input", () => orgnrHint(i));
    orgnrHint(i);
  });
  const zone = document.getElementById("drop");
  const files = document.getElementById("files");
  if (zone && files) dropZone(zone, files);
  const job = document.getElementById("job");
  if (job) follow(job);
});
