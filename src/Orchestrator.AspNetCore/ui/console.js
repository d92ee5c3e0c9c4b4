// The orchestrator's web console: plain JavaScript over the node's HTTP API (no build step, nothing fetched from
// elsewhere). Read-only unless the operator gives the API token, which is kept for this browser tab only.
"use strict";

const api = (location.pathname.replace(/\/ui\/?.*$/, "")) || "";
const view = document.getElementById("view");
const tokenInput = document.getElementById("token");
let stopLive = () => {};

tokenInput.value = sessionStorage.getItem("orchestrator-token") || "";
showMode();
document.getElementById("token-form").addEventListener("submit", e => { e.preventDefault(); });
tokenInput.addEventListener("change", () => { sessionStorage.setItem("orchestrator-token", tokenInput.value); showMode(); route(); });

function showMode() {
  document.getElementById("mode").textContent = tokenInput.value ? "with token" : "read-only";
}

async function get(path) {
  const headers = tokenInput.value ? { Authorization: "Bearer " + tokenInput.value } : {};
  const answer = await fetch(api + path, { headers });
  if (answer.status === 401) throw new Error("this needs the node's API token (top right)");
  if (!answer.ok) throw new Error(`${path}: ${answer.status} ${(await answer.json().catch(() => ({}))).detail || answer.statusText}`);
  return answer.json();
}

async function getText(path) {
  const headers = tokenInput.value ? { Authorization: "Bearer " + tokenInput.value } : {};
  const answer = await fetch(api + path, { headers });
  if (!answer.ok) throw new Error(`${path}: ${answer.status} ${(await answer.json().catch(() => ({}))).detail || answer.statusText}`);
  return answer.text();
}

async function post(path) {
  const answer = await fetch(api + path, { method: "POST", headers: { Authorization: "Bearer " + tokenInput.value } });
  if (!answer.ok) throw new Error(`${path}: ${answer.status} ${(await answer.json().catch(() => ({}))).detail || answer.statusText}`);
  return answer.json();
}

const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const time = t => t ? new Date(t).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "";
const state = s => `<span class="state ${esc(s)}">${esc(s)}</span>`;
const money = (amount, currency) => `${+Number(amount).toFixed(8)} ${esc(currency)}`;
const price = x => x.pricePerResult != null ? `${x.pricePerResult} per result` : `${x.pricePerHour} / h`;
const table = (heads, rows) => `<table><thead><tr>${heads.map(h => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("") || `<tr><td colspan="${heads.length}" class="muted">none</td></tr>`}</tbody></table>`;

// Renders a page, and again every `every` ms while it is shown (a fetch that fails shows why, in place).
function live(render, every) {
  let stopped = false, timer;
  const run = async () => {
    try { view.innerHTML = await render(); } catch (e) { view.innerHTML = `<p class="error">${esc(e.message)}</p>`; }
    if (!stopped && every) timer = setTimeout(run, every);
  };
  run();
  return () => { stopped = true; clearTimeout(timer); };
}

async function part(render) {
  try { return await render(); } catch (e) { return `<p class="error">${esc(e.message)}</p>`; }
}

async function clusterPage() {
  const members = await part(async () => {
    const c = await get("/ops/cluster");
    return table(["address", "roles", "status", "reachable", "leader"], c.members.map(m =>
      `<tr><td class="mono">${esc(m.address)}${m.isSelf ? " (this node)" : ""}</td><td>${esc(m.roles.join(", "))}</td><td>${esc(m.status)}</td>` +
      `<td>${m.reachable ? "yes" : '<span class="error">NO</span>'}</td><td>${m.isLeader ? "leader" : ""}</td></tr>`));
  });
  const shards = await part(async () => {
    const r = await get("/ops/sharding/regions/job");
    return table(["node", "shards", "jobs in memory", "coordinator"], r.nodes.map(n =>
      `<tr><td class="mono">${esc(n.address)}</td><td>${n.shards}</td><td>${n.entities}</td><td>${n.hostsCoordinator ? "yes" : ""}</td></tr>`));
  });
  const jobs = await get("/orchestrator/jobs?limit=1000");
  const counts = {};
  for (const j of jobs.jobs) counts[j.state] = (counts[j.state] || 0) + 1;
  return `<h1>Cluster</h1><section><h2>Members</h2>${members}</section><section><h2>Shards of the job region, per node</h2>${shards}</section>` +
    `<section><h2>Jobs by state</h2><p class="counts">${Object.entries(counts).map(([s, n]) => `<span>${state(s)} ${n}</span>`).join("") || '<span class="muted">no jobs yet</span>'}</p>` +
    `<p><a href="#/jobs">every job</a></p></section>`;
}

async function jobsPage(filter) {
  const jobs = await get("/orchestrator/jobs?limit=200" + (filter ? "&state=" + encodeURIComponent(filter) : ""));
  const states = ["", "Posted", "Searching", "Matched", "Requested", "Contracted", "Running", "Completed", "Failed", "Cancelled"];
  return `<h1>Jobs</h1><p>${states.map(s => `<a href="#/jobs${s ? "?state=" + s : ""}">${s || "all"}</a>`).join(" · ")}</p>` +
    `<section>${table(["job", "state", "provider", "posted", "note"], jobs.jobs.map(j =>
      `<tr data-job-id="${esc(j.jobId)}"><td><a href="#/jobs/${encodeURIComponent(j.jobId)}">${esc(j.jobId)}</a></td><td>${state(j.state)}</td>` +
      `<td>${esc(j.providerId)}</td><td>${time(j.postedAt)}</td><td>${esc(j.note)}</td></tr>`))}` +
    `<p class="muted">${jobs.total} listed${jobs.notListed ? `; ${jobs.notListed} older finished job(s) no longer listed (open them by id)` : ""}. Updates every 2 s.</p></section>`;
}

async function jobPage(id) {
  const j = await get("/orchestrator/jobs/" + encodeURIComponent(id));
  const e = j.explanation;
  const terminal = j.final;
  const timeline = table(["at", "state", "note"], j.history.map(h => `<tr><td class="mono">${time(h.at)}</td><td>${state(h.state)}</td><td>${esc(h.note)}</td></tr>`));
  const bids = table(["provider", "price", "locked with bid", "spare capacity"], j.eligibleProviders.map(b =>
    `<tr><td>${esc(b.providerId)}</td><td>${price(b)}</td><td>${b.resourcesLocked ? "yes" : "no"}</td><td>${(b.spareCapacity * 100).toFixed(0)} %</td></tr>`));
  let explanation = '<p class="muted">no search has completed yet</p>';
  if (e) {
    const prefs = [...new Set(e.ranking.flatMap(r => r.breakdown.map(t => t.preference + " (×" + t.weight + ")")))];
    const ranking = table(["rank", "provider", "score", ...prefs], e.ranking.map(r =>
      `<tr class="${r.providerId === j.selectedProviderId ? "selected" : ""}"><td>${r.rank}</td><td>${esc(r.providerId)}${r.providerId === j.selectedProviderId ? " <b>(selected)</b>" : ""}</td><td>${r.score.toFixed(3)}</td>` +
      prefs.map(p => { const t = r.breakdown.find(t => t.preference + " (×" + t.weight + ")" === p); return `<td>${t ? `${+t.contribution.toFixed(3)} <span class="muted">(${+t.score.toFixed(3)})</span>` : ""}</td>`; }).join("") + "</tr>"));
    const filtered = table(["constraint", "providers filtered out"], Object.entries(e.filteredOut).map(([c, n]) => `<tr><td class="filtered-reason">${esc(c)}</td><td>${n}</td></tr>`));
    const verdicts = table(["provider", "outcome", "reason", "detail"], (j.providers || []).filter(v => v.outcome !== "eligible").map(v =>
      `<tr><td>${esc(v.providerId)}</td><td>${esc(v.outcome)}</td><td class="verdict-reason">${esc(v.reason)}</td><td>${esc(v.detail)}</td></tr>`));
    // Where a provider's own claim (sent with its bid) differs from the job's computation: the ranking above is the job's.
    const claims = e.ranking.flatMap(r => (r.disagreements || []).map(d =>
      `<tr><td>${esc(r.providerId)}</td><td>${esc(d.preference)}</td><td>${+d.claimed.toFixed(3)}</td><td>${+d.computed.toFixed(3)}</td></tr>`));
    const disagreements = claims.length === 0 ? "" :
      `<h2>Claims that differ from the job's computation</h2>${table(["provider", "preference", "claimed", "computed by the job"], claims)}`;
    explanation = `<p>search ${e.attempt}: ${e.considered} considered, ${e.asked} asked, ${e.eligible} eligible, ${e.timedOut} timed out; selected by ${esc(e.selection)}</p>` +
      `<h2>Ranking, per preference (contribution, and the provider's score for it)</h2>${ranking}${disagreements}<h2>Filtered out, per constraint</h2>${filtered}<h2>Why not the others</h2>${verdicts}`;
  }
  const c = j.contract;
  const contract = c
    ? `<p>contract <span class="mono">${esc(c.contractId)}</span> with <b id="contract-provider">${esc(c.providerId)}</b>, ${price(c)}${c.currency ? " " + esc(c.currency) : ""}, ${time(c.startsAt)} to ${time(c.endsAt)}</p>` +
      `<p>signatures: ${j.signatures ? "requester's and provider's, both over the terms" : "none (the network has no authority: approval by cluster membership)"}</p>`
    : j.failure ? `<p class="error">failed (${esc(j.failure.reason)}): ${esc(j.failure.message)}</p>` : '<p class="muted">no contract yet</p>';
  const cancel = tokenInput.value && !terminal ? `<button id="cancel">Cancel the job</button>` : "";
  // A job that runs a program: its runs, and the latest one's output as printed (re-read with the page).
  let run = "";
  if (j.description.execution) {
    const runs = [...j.runs, ...(j.currentRun ? [j.currentRun] : [])];
    const outcome = o => !o ? "running" : o.failure ? `${esc(o.failure)}: ${esc(o.detail)}` : esc(o.detail);
    const rows = runs.map(r => `<tr><td>${r.run}</td><td>${esc(r.providerId)}</td><td class="mono">${time(r.startedAt)}</td><td class="mono">${time(r.endedAt)}</td>` +
      `<td>${r.outcome && r.outcome.exitCode != null ? r.outcome.exitCode : ""}</td><td class="run-outcome">${outcome(r.outcome)}</td></tr>`);
    const latest = runs[runs.length - 1];
    const logs = !latest ? '<p class="muted">the program has not started yet</p>' : await part(async () => {
      const [out, err] = await Promise.all([getText(`/orchestrator/jobs/${encodeURIComponent(j.jobId)}/logs`), getText(`/orchestrator/jobs/${encodeURIComponent(j.jobId)}/logs?stream=stderr`)]);
      return `<h2>stdout</h2><pre id="stdout">${esc(out)}</pre>` + (err ? `<h2>stderr</h2><pre id="stderr">${esc(err)}</pre>` : "");
    });
    const outputs = latest && latest.outcome ? latest.outcome.outputs.map(o =>
      `<li><a href="${api}/orchestrator/jobs/${encodeURIComponent(j.jobId)}/outputs/${encodeURIComponent(o.name)}">${esc(o.name)}</a> ${o.bytes} bytes, sha256 <span class="mono">${esc(o.sha256)}</span></li>`).join("") : "";
    run = `<section><h2>Runs (${esc(j.description.execution.executor)})</h2>${table(["run", "provider", "started", "ended", "exit", "outcome"], rows)}` +
      `${outputs ? `<ul>${outputs}</ul>` : ""}${logs}</section>`;
  }
  // Each ended contract's settlement: what it came to, from what usage, and who signed.
  const settled = (j.settlements || []).map(s => {
    const t = s.settlement, u = s.receipt;
    const signed = [s.requesterProof ? "requester" : "", s.providerProof ? "provider" : "", s.receiptProof ? "receipt (provider)" : ""].filter(x => x).join(", ") || "none";
    return `<tr data-contract-id="${esc(s.contractId)}"><td class="mono">${esc(s.contractId)}</td><td class="settlement-state">${esc(s.state)}</td>` +
      `<td class="settlement-amount">${t ? money(t.amount, t.currency) : ""}</td><td>${t ? esc(t.basis) : s.disputeReason ? `disputed by the ${esc(s.disputedBy)}: ${esc(s.disputeReason)}` : ""}</td>` +
      `<td>${u ? `${u.wallMs} ms wall, ${u.cpuMs} ms cpu, ${u.peakMemoryBytes} B peak` : ""}</td><td>${signed}</td>` +
      `<td>${s.transfer ? `${esc(s.transfer.provider)}: ${esc(s.transfer.reference)}` : ""}</td></tr>`;
  });
  const settlement = j.description.execution
    ? `<section><h2>Settlement</h2>${table(["contract", "state", "amount", "how", "usage", "signed by", "transfer"], settled)}</section>` : "";
  return `<h1 data-final="${j.final}">Job <span class="mono">${esc(j.jobId)}</span> <span id="job-state">${state(j.state)}</span></h1>${cancel}` +
    `<p class="muted">${esc(j.orchestrationType)}, by ${esc(j.requester)}, hosted on ${esc(j.hostedBy)}; deadline ${time(j.deadline)}</p>` +
    `<section><h2>Contract</h2>${contract}</section>${run}${settlement}<section><h2>Timeline</h2>${timeline}</section>` +
    `<section><h2>Bids (best first)</h2>${bids}</section><section><h2>Explanation</h2>${explanation}</section>`;
}

async function providersPage() {
  const providers = await get("/orchestrator/providers");
  const bar = (total, p) => {
    const pct = v => total ? (100 * v / total).toFixed(1) : 0;
    return `<div class="bar" title="${p.contracted} contracted, ${p.locked} locked, ${p.free} free of ${total}">` +
      `<div class="contracted" style="width:${pct(p.contracted)}%"></div><div class="locked" style="width:${pct(p.locked)}%"></div></div>`;
  };
  const rows = providers.map(p => {
    const r = p.capability.resources;
    const of = k => ({ free: p.free[k], locked: p.locked[k], contracted: p.contracted[k] });
    return `<tr data-provider-id="${esc(p.providerId)}"><td>${esc(p.providerId)}${p.offboarding ? ' <span class="muted">(offboarding)</span>' : ""}</td>` +
      `<td>${bar(r.cpuCores, of("cpuCores"))}<span class="muted">${p.free.cpuCores} of ${r.cpuCores} cores free</span></td>` +
      `<td>${bar(r.ramMb, of("ramMb"))}<span class="muted">${p.free.ramMb} of ${r.ramMb} MB free</span></td>` +
      `<td>${p.locks.length}</td><td>${p.contracts.length}</td><td>${price(p.capability)} ${esc(p.capability.currency)}</td>` +
      `<td class="earnings">${(p.earnings || []).map(e => money(e.amount, e.currency)).join(", ") || '<span class="muted">nothing yet</span>'}` +
      `${p.unsettled && p.unsettled.length ? ` <span class="muted">(${p.unsettled.length} to settle)</span>` : ""}</td></tr>`;
  });
  return `<h1>Providers</h1><p class="legend"><i style="background:var(--accent)"></i>contracted<i style="background:var(--warn)"></i>locked<i style="background:#eef0f4"></i>free</p>` +
    `<section>${table(["provider", "CPU", "RAM", "locks", "contracts", "price", "earned (settled)"], rows)}</section>`;
}

async function settlementsPage(filter) {
  const page = await get("/orchestrator/settlements?limit=200" + (filter ? "&state=" + encodeURIComponent(filter) : ""));
  const states = ["", "awaiting-receipt", "proposed", "settled", "disputed"];
  const rows = page.rows.map(r => `<tr><td class="mono"><a href="#/jobs/${encodeURIComponent(r.jobId)}">${esc(r.contractId)}</a></td><td>${esc(r.state)}</td>` +
    `<td>${esc(r.requester)}</td><td>${esc(r.providerId)}</td><td>${r.currency ? money(r.amount, r.currency) : ""}</td><td class="mono">${time(r.updatedAt)}</td></tr>`);
  const totals = page.totals.map(t => `<span>${money(t.amount, t.currency)} settled over ${t.settled} of ${t.rows}</span>`).join("");
  return `<h1>Settlements</h1><p>${states.map(s => `<a href="#/settlements${s ? "?state=" + s : ""}">${s || "all"}</a>`).join(" · ")}</p>` +
    `<p class="counts" id="settlement-totals">${totals || '<span class="muted">nothing settled yet</span>'}</p>` +
    `<section>${table(["contract", "state", "requester", "provider", "amount", "updated"], rows)}<p class="muted">${page.total} row(s). Updates every 2 s.</p></section>`;
}

function route() {
  stopLive();
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const job = path.match(/^\/jobs\/(.+)$/);
  if (job) {
    const id = decodeURIComponent(job[1]);
    const stopPage = live(() => jobPage(id), 0);
    // The job's own stream: each change as it happens redraws the page.
    const events = new EventSource(api + "/orchestrator/jobs/" + encodeURIComponent(id) + "/events");
    events.addEventListener("state", () => live(() => jobPage(id), 0));
    view.onclick = async ev => {
      if (ev.target.id !== "cancel") return;
      try { await post("/orchestrator/jobs/" + encodeURIComponent(id) + "/cancel"); } catch (e) { alert(e.message); }
    };
    // While its program runs, what it prints appears as printed (the page itself redraws on each state change).
    const follow = setInterval(async () => {
      const out = document.getElementById("stdout"), err = document.getElementById("stderr");
      if (!out || view.querySelector("[data-final='true']")) return;
      try {
        out.textContent = await getText(`/orchestrator/jobs/${encodeURIComponent(id)}/logs`);
        if (err) err.textContent = await getText(`/orchestrator/jobs/${encodeURIComponent(id)}/logs?stream=stderr`);
      } catch (e) { /* the next state change redraws the page and says why */ }
    }, 1000);
    stopLive = () => { stopPage(); events.close(); clearInterval(follow); view.onclick = null; };
  } else if (path === "/jobs") {
    stopLive = live(() => jobsPage(new URLSearchParams(query || "").get("state")), 2000);
  } else if (path === "/settlements") {
    stopLive = live(() => settlementsPage(new URLSearchParams(query || "").get("state")), 2000);
  } else if (path === "/providers") {
    stopLive = live(providersPage, 2000);
  } else {
    stopLive = live(clusterPage, 3000);
  }
}

window.addEventListener("hashchange", route);
route();
