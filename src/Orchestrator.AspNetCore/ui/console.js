// The orchestrator's web console: plain JavaScript over the node's HTTP API (no build step, nothing fetched from
// elsewhere). Pages redraw in place (morph below), so what the operator selected or typed survives a refresh.
// Actions appear wherever the node would accept them: it is asked once (GET /ops/cluster, which needs the token when
// the node has one), and again when the token changes. The token is kept for this browser tab only.
"use strict";

const api = (location.pathname.replace(/\/ui\/?.*$/, "")) || "";
const view = document.getElementById("view");
const notice = document.getElementById("notice");
const tokenInput = document.getElementById("token");
const States = ["Posted", "Searching", "Matched", "Requested", "Contracted", "Running", "Completed", "Failed", "Cancelled"];
const PageSize = 50;
let stopPage = () => {};
let access = { canAct: false, mode: "read-only" };

tokenInput.value = sessionStorage.getItem("orchestrator-token") || "";
document.getElementById("token-form").addEventListener("submit", e => { e.preventDefault(); });
tokenInput.addEventListener("change", async () => {
  sessionStorage.setItem("orchestrator-token", tokenInput.value);
  await checkAccess();
  route();
});

// ---- The node's API -----------------------------------------------------------------------------------------------

const auth = () => tokenInput.value ? { Authorization: "Bearer " + tokenInput.value } : {};
const enc = encodeURIComponent;

async function failure(path, answer) {
  if (answer.status === 401) return new Error("this needs the node's API token (top right)");
  const problem = await answer.json().catch(() => ({}));
  return new Error(`${path}: ${answer.status} ${problem.detail || problem.title || answer.statusText}`);
}

async function get(path) {
  const answer = await fetch(api + path, { headers: auth() });
  if (!answer.ok) throw await failure(path, answer);
  return answer.json();
}

async function post(path) {
  const answer = await fetch(api + path, { method: "POST", headers: auth() });
  if (!answer.ok) throw await failure(path, answer);
  return answer.json();
}

/** What the node lets this tab do: an open node (loopback, no token) or a token it accepts allows actions. */
async function checkAccess() {
  try {
    const answer = await fetch(api + "/ops/cluster", { headers: auth() });
    if (answer.ok) access = { canAct: true, mode: tokenInput.value ? "with token" : "no token needed" };
    else if (answer.status === 401) access = { canAct: false, mode: tokenInput.value ? "token refused" : "read-only" };
    else access = { canAct: !!tokenInput.value, mode: tokenInput.value ? "with token" : "read-only" };
  } catch (e) {
    access = { canAct: false, mode: "node unreachable" };
  }
  document.getElementById("mode").textContent = access.mode;
}

// ---- Formatting ---------------------------------------------------------------------------------------------------

const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const pad = (n, width = 2) => String(n).padStart(width, "0");
const day = t => { const d = new Date(t); return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`; };
const clock = t => { const d = new Date(t); return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`; };
/** A time to the millisecond, in UTC. */
const exact = t => t ? `${day(t)} ${clock(t)}Z` : "";

/** A duration as a person says it: 240 ms, 3.2 s, 4 min 10 s, 2 h 5 min, 3 d 4 h. */
function span(ms) {
  ms = Math.max(0, ms);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 >= 1 ? ` ${Math.floor(s % 60)} s` : ""}`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h${m % 60 ? ` ${m % 60} min` : ""}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ""}`;
}

const ago = t => { const ms = Date.now() - new Date(t); return ms >= 0 ? `${span(ms)} ago` : `in ${span(-ms)}`; };
/** A relative time ("5 s ago", "in 3 min") with the exact time on hover; kept current by the ticker below. */
const when = t => t ? `<time datetime="${esc(t)}" title="${exact(t)}" data-ago>${ago(t)}</time>` : "";
setInterval(() => { for (const e of document.querySelectorAll("time[data-ago]")) e.textContent = ago(e.getAttribute("datetime")); }, 5000);

/** A note from the node, its .NET timestamps (2026-12-06T22:34:20.5497918+00:00) written as times to the millisecond. */
const IsoTime = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g;
const plain = text => String(text ?? "").replace(IsoTime, t => exact(t));
const note = text => esc(plain(text));

const state = s => `<span class="state ${esc(s)}">${esc(s)}</span>`;
const money = (amount, currency) => `${+Number(amount).toFixed(8)} ${esc(currency)}`;
const price = x => x.pricePerResult != null ? `${x.pricePerResult} per result` : `${x.pricePerHour} / h`;
/** Megabytes as a person reads them: 512 MB, 8 GB, 1.5 TB. */
const mb = n => n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} TB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} GB` : `${n} MB`;
/** Disk, as disks are sold: 500 GB, 2 TB. */
const gb = n => n >= 1000 ? `${+(n / 1000).toFixed(1)} TB` : `${n} GB`;
const bytes = n => n >= 1048576 ? mb(Math.round(n / 1048576)) : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`;
const jobLink = id => `<a class="mono" href="#/jobs/${enc(id)}">${esc(id)}</a>`;

function table(heads, rows, options = {}) {
  const head = heads.map(h => `<th${/^(#|rank|score|amount|cores|ms)$/i.test(h) ? ' class="number"' : ""}>${esc(h)}</th>`).join("");
  return `<table${options.cls ? ` class="${options.cls}"` : ""}><thead><tr>${head}</tr></thead><tbody>${rows.join("") ||
    `<tr><td colspan="${heads.length}" class="muted">${esc(options.empty || "none")}</td></tr>`}</tbody></table>`;
}

function title(text) { document.title = `${text} · Orchestrator`; }

function say(text, isError) {
  notice.textContent = text;
  notice.className = isError ? "error" : "";
}

// ---- Redrawing in place -------------------------------------------------------------------------------------------

/**
 * Brings `target`'s content to `html` by changing only what differs: a row whose text did not change is the same DOM
 * node afterwards (a selection in it survives), rows with a data-key move instead of being rebuilt, a field the operator
 * types in keeps its value, and an element marked data-live (filled by a stream) keeps its content.
 */
function morph(target, html) {
  const next = document.createElement(target.tagName);
  next.innerHTML = html;
  syncChildren(target, next);
}

const keyOf = n => n.nodeType === 1 ? n.getAttribute("data-key") : null;

function syncChildren(have, want) {
  const keyed = new Map();
  for (const child of have.childNodes) { const key = keyOf(child); if (key !== null) keyed.set(key, child); }
  const wanted = [...want.childNodes];
  wanted.forEach((w, i) => {
    const key = keyOf(w);
    let h = key !== null ? keyed.get(key) : have.childNodes[i];
    if (h && (h.nodeType !== w.nodeType || h.nodeName !== w.nodeName || keyOf(h) !== key)) h = null;
    if (!h) { have.insertBefore(w, have.childNodes[i] || null); return; }
    if (have.childNodes[i] !== h) have.insertBefore(h, have.childNodes[i] || null);
    syncNode(h, w);
  });
  while (have.childNodes.length > wanted.length) have.removeChild(have.lastChild);
}

function syncNode(have, want) {
  if (have.nodeType !== 1) {
    if (have.nodeValue !== want.nodeValue) have.nodeValue = want.nodeValue;
    return;
  }
  for (const { name } of [...have.attributes]) if (!want.hasAttribute(name)) have.removeAttribute(name);
  for (const { name, value } of want.attributes) if (have.getAttribute(name) !== value) have.setAttribute(name, value);
  if (have.nodeName === "INPUT" || have.hasAttribute("data-live")) return;
  syncChildren(have, want);
}

/** Draws a page now and every `every` ms while it is shown; a page that fails to load says why, in place. */
function live(render, every) {
  let stopped = false, timer, generation = 0;
  const run = async () => {
    const mine = ++generation;
    let html;
    try { html = await render(); } catch (e) { html = `<h1>${esc(document.title.replace(/ · Orchestrator$/, ""))}</h1><p class="error" role="alert">${esc(e.message)}</p>`; }
    if (stopped || mine !== generation) return;
    morph(view, html);
    view.dataset.drawn = String((+view.dataset.drawn || 0) + 1);
    if (every) timer = setTimeout(run, every);
  };
  run();
  return () => { stopped = true; clearTimeout(timer); };
}

/** A part of a page that may fail on its own (e.g. an ops panel without the token): it says why where it would be. */
async function part(render) {
  try { return await render(); } catch (e) { return `<p class="error">${esc(e.message)}</p>`; }
}

/** "#/jobs?state=Failed&page=2": the page's path and its parameters. */
function here() {
  const [path, query] = (location.hash.replace(/^#/, "") || "/").split("?");
  return { path, params: new URLSearchParams(query || "") };
}

function hashOf(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v != null) q.set(k, v);
  const text = q.toString();
  return "#" + path + (text ? "?" + text : "");
}

/** A listing's filters by state, the one in use marked (<code>aria-current</code>) and filled. */
function filterLinks(states, current, link, label) {
  return states.map(s => `<a href="${link(s)}" class="${s === current ? "active" : ""}"${s === current ? ' aria-current="true"' : ""}>${label(s)}</a>`).join("");
}

/** Pages through a listing: "51–100 of 250", first / newer / older / last. */
function pager(total, offset, shown, link, what) {
  const page = Math.floor(offset / PageSize) + 1, pages = Math.max(1, Math.ceil(total / PageSize));
  const to = (n, text, id) => n >= 1 && n <= pages && n !== page ? `<a id="${id}" href="${link(n)}">${text}</a>` : `<span class="off">${text}</span>`;
  const range = shown ? `${offset + 1}–${offset + shown} of ${total} ${what}` : `${total} ${what}`;
  return `<nav class="pager" aria-label="Pages of ${esc(what)}"><span id="page-range">${range}</span>` +
    (pages > 1 ? `${to(1, "« Newest", "page-first")}${to(page - 1, "‹ Newer", "page-newer")}<span>page ${page} of ${pages}</span>` +
      `${to(page + 1, "Older ›", "page-older")}${to(pages, "Oldest »", "page-last")}` : "") + "</nav>";
}

// ---- Cluster ------------------------------------------------------------------------------------------------------

async function clusterPage() {
  title("Cluster");
  const members = await part(async () => {
    const c = await get("/ops/cluster");
    return table(["address", "roles", "status", "reachable", "leader"], c.members.map(m =>
      `<tr data-key="${esc(m.address)}"><td class="mono">${esc(m.address)}${m.isSelf ? " (this node)" : ""}</td><td>${esc(m.roles.join(", "))}</td><td>${esc(m.status)}</td>` +
      `<td>${m.reachable ? "yes" : '<span class="error">NO</span>'}</td><td>${m.isLeader ? "leader" : ""}</td></tr>`));
  });
  const shards = await part(async () => {
    const r = await get("/ops/sharding/regions/job");
    return table(["node", "shards", "jobs in memory", "coordinator"], r.nodes.map(n =>
      `<tr data-key="${esc(n.address)}"><td class="mono">${esc(n.address)}</td><td>${n.shards}</td><td>${n.entities}</td><td>${n.hostsCoordinator ? "yes" : ""}</td></tr>`));
  });
  const capacity = await part(async () => {
    const providers = await get("/orchestrator/providers");
    const sum = f => providers.reduce((n, p) => n + f(p), 0);
    const running = sum(p => p.allocations.length);
    return `<p class="counts"><span>${providers.length} provider(s)</span><span>${sum(p => p.free.cpuCores)} of ${sum(p => p.capability.resources.cpuCores)} cores free</span>` +
      `<span>${sum(p => p.free.gpus)} of ${sum(p => p.capability.resources.gpus.length)} GPU(s) free</span><span>${running} program(s) running</span></p>`;
  });
  const jobs = await get("/orchestrator/jobs?limit=1");
  const counts = States.filter(s => jobs.byState[s]).map(s => `<span><a href="#/jobs?state=${s}">${state(s)} ${jobs.byState[s]}</a></span>`).join("");
  return `<h1>Cluster</h1><section><h2>Members</h2>${members}</section><section><h2>Shards of the job region, per node</h2>${shards}</section>` +
    `<section><h2>Jobs by state</h2><p class="counts">${counts || '<span class="muted">no jobs yet</span>'}</p>` +
    `<p><a href="#/jobs">Every job (${jobs.total})</a></p></section><section><h2>Providers</h2>${capacity}<p><a href="#/providers">Every provider</a></p></section>`;
}

// ---- Jobs ---------------------------------------------------------------------------------------------------------

async function jobsPage(params) {
  const filter = params.get("state") || "", search = params.get("search") || "", until = params.get("until") || "";
  const page = Math.max(1, parseInt(params.get("page"), 10) || 1);
  title(filter ? `${filter} jobs` : search ? `Jobs matching ${search}` : "Jobs");
  const query = new URLSearchParams({ offset: (page - 1) * PageSize, limit: PageSize });
  if (filter) query.set("state", filter);
  if (search) query.set("search", search);
  if (until) query.set("until", until);
  const list = await get("/orchestrator/jobs?" + query);
  // Paging back pins the time the pages count from, so jobs posted meanwhile do not shift them.
  const pin = until || (list.jobs.length ? new Date(new Date(list.jobs[0].postedAt).getTime() + 1).toISOString() : "");
  const link = n => hashOf("/jobs", { state: filter, search, page: n > 1 ? n : "", until: n > 1 ? pin : "" });
  const everything = Object.values(list.byState).reduce((a, b) => a + b, 0);
  const filters = filterLinks(["", ...States], filter, s => hashOf("/jobs", { state: s, search }),
    s => `${s || "All"} <span class="count">${s ? list.byState[s] || 0 : everything}</span>`);
  const rows = list.jobs.map(j =>
    `<tr data-key="${esc(j.jobId)}" data-job-id="${esc(j.jobId)}"><td>${jobLink(j.jobId)}</td><td>${state(j.state)}</td>` +
    `<td class="mono">${j.providerId ? `<a href="${hashOf("/jobs", { search: j.providerId })}" title="Jobs of ${esc(j.providerId)}">${esc(j.providerId)}</a>` : ""}</td>` +
    `<td>${when(j.postedAt)}</td><td>${when(j.updatedAt)}</td><td class="note" title="${esc(plain(j.note))}">${note(j.note)}</td></tr>`);
  const pinned = until ? `<p class="muted small">Pages counted from jobs posted before ${exact(until)}, so new posts do not shift them. ` +
    `<a href="${hashOf("/jobs", { state: filter, search })}">Newest jobs</a></p>` : "";
  const older = list.notListed ? ` ${list.notListed} older finished job(s) are no longer listed (open them by id).` : "";
  return `<h1>Jobs</h1><div class="toolbar"><div class="filters" role="navigation" aria-label="Filter by state">${filters}</div>` +
    `<input type="search" id="job-search" value="${esc(search)}" placeholder="Search job or provider id" aria-label="Search by job or provider id"></div>` +
    `${pinned}<section>${table(["job", "state", "provider", "posted", "updated", "note"], rows,
      { cls: "list", empty: search || filter ? "no job matches" : "no jobs yet" })}` +
    `${pager(list.total, list.offset, list.jobs.length, link, "jobs")}<p class="muted small">Updates every 2 s.${older}</p></section>`;
}

// The search field: typing filters the list (from the first page) without waiting for Enter.
let searchTimer;
view.addEventListener("input", e => {
  if (e.target.id !== "job-search") return;
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    const { params } = here();
    history.replaceState(null, "", hashOf("/jobs", { state: params.get("state") || "", search: e.target.value.trim() }));
    route();
  }, 250);
});

// ---- A job --------------------------------------------------------------------------------------------------------

/** Where each provider the latest search asked ended up: the one contracted, the others and why not them. */
function askedProviders(j) {
  const e = j.explanation;
  const rank = new Map((e ? e.ranking : []).map(r => [r.providerId, r]));
  const bids = new Map(j.eligibleProviders.map(b => [b.providerId, b]));
  const asked = j.providers.filter(v => v.outcome !== "ruled-out");
  const order = v => rank.has(v.providerId) ? rank.get(v.providerId).rank : 1e6;
  const rows = asked.sort((a, b) => order(a) - order(b) || a.providerId.localeCompare(b.providerId)).map(v => {
    const r = rank.get(v.providerId), b = bids.get(v.providerId);
    const contracted = j.contract && j.contract.providerId === v.providerId;
    let fate;
    if (contracted) fate = `<span class="outcome-contracted">contracted</span>`;
    else if (v.outcome === "eligible" && v.providerId === j.selectedProviderId) fate = "selected (being requested)";
    else if (v.outcome === "eligible") fate = r ? `bid, not selected (rank ${r.rank})` : "bid";
    else fate = v.outcome === "timed-out" ? "timed out" : "declined";
    return `<tr data-key="${esc(v.providerId)}" data-asked="${esc(v.providerId)}"><td class="number">${r ? r.rank : ""}</td><td class="mono">${esc(v.providerId)}</td>` +
      `<td>${b ? `${price(b)}${b.resourcesLocked ? ", locked with bid" : ""}` : ""}</td><td class="fate">${fate}</td>` +
      `<td class="verdict-reason">${esc(v.reason)}</td><td>${note(v.detail)}</td></tr>`;
  });
  return rows.length === 0 ? "" : `<section><h2>Providers asked${e ? ` (search ${e.attempt})` : ""}</h2>` +
    table(["rank", "provider", "bid", "what became of it", "reason", "detail"], rows) + "</section>";
}

function explanation(j) {
  const e = j.explanation;
  if (!e) return "";
  let html = "";
  if (e.ranking.length > 0) {
    const prefs = [...new Set(e.ranking.flatMap(r => r.breakdown.map(t => t.preference + " (×" + t.weight + ")")))];
    const ranking = table(["rank", "provider", "score", ...prefs], e.ranking.map(r =>
      `<tr data-key="${esc(r.providerId)}"><td class="number">${r.rank}</td><td class="mono">${esc(r.providerId)}${r.providerId === j.selectedProviderId ? " <b>(selected)</b>" : ""}</td>` +
      `<td class="number">${r.score.toFixed(3)}</td>` +
      prefs.map(p => { const t = r.breakdown.find(t => t.preference + " (×" + t.weight + ")" === p); return `<td>${t ? `${+t.contribution.toFixed(3)} <span class="muted">(${+t.score.toFixed(3)})</span>` : ""}</td>`; }).join("") + "</tr>"));
    html += `<section><h2>Ranking, per preference (contribution, and the provider's score for it)</h2><p class="muted small">selected by ${esc(e.selection)}</p>${ranking}</section>`;
  }
  const claims = e.ranking.flatMap(r => (r.disagreements || []).map(d =>
    `<tr><td class="mono">${esc(r.providerId)}</td><td>${esc(d.preference)}</td><td>${+d.claimed.toFixed(3)}</td><td>${+d.computed.toFixed(3)}</td></tr>`));
  if (claims.length > 0) html += `<section><h2>Claims that differ from the job's computation</h2>${table(["provider", "preference", "claimed", "computed by the job"], claims)}</section>`;
  const filtered = Object.entries(e.filteredOut).filter(([, n]) => n > 0);
  const ruledOut = j.providers.filter(v => v.outcome === "ruled-out");
  if (filtered.length > 0 || ruledOut.length > 0) {
    html += `<section><h2>Ruled out before asking</h2>` +
      (filtered.length ? table(["constraint", "providers filtered out"], filtered.map(([c, n]) => `<tr><td class="filtered-reason">${esc(c)}</td><td>${n}</td></tr>`)) : "") +
      (ruledOut.length ? `<h2>By name</h2>${table(["provider", "first constraint failed", "detail"], ruledOut.map(v =>
        `<tr data-key="${esc(v.providerId)}"><td class="mono">${esc(v.providerId)}</td><td class="verdict-reason">${esc(v.reason)}</td><td>${note(v.detail)}</td></tr>`))}` : "") +
      (j.providersNotNamed ? `<p class="muted">and ${j.providersNotNamed} more, not named</p>` : "") + "</section>";
  }
  return html;
}

function timeline(j) {
  const h = j.history;
  const rows = h.map((entry, i) => {
    const next = h[i + 1];
    const from = new Date(entry.at).getTime();
    const length = next ? span(new Date(next.at).getTime() - from) : j.final ? "" : `${span(Date.now() - from)} so far`;
    const newDay = i === 0 || day(entry.at) !== day(h[i - 1].at);
    return `<tr><td class="mono nowrap" title="${exact(entry.at)}">${newDay ? day(entry.at) + " " : ""}${clock(entry.at)}</td><td>${state(entry.state)}</td>` +
      `<td class="number nowrap">${length}</td><td>${note(entry.note)}</td></tr>`;
  });
  const total = h.length > 1 ? `<p class="muted small">${span(new Date(h[h.length - 1].at) - new Date(h[0].at))} from post to ${esc(h[h.length - 1].state)}` +
    `${j.final ? "" : " so far"}; times in UTC.</p>` : "";
  return `<section><h2>Timeline</h2>${total}${table(["at", "state", "for", "note"], rows)}</section>`;
}

/** What the job came to, first: its contract, its failure (as a failure), or what it waits for. */
function outcome(j) {
  let html = "";
  const c = j.contract;
  if (c) html += `<section><h2>Contract</h2><dl class="facts"><dt>contract</dt><dd class="mono">${esc(c.contractId)}</dd>` +
    `<dt>provider</dt><dd><b id="contract-provider">${esc(c.providerId)}</b></dd><dt>price</dt><dd>${price(c)}${c.currency ? " " + esc(c.currency) : ""}</dd>` +
    `<dt>from</dt><dd>${exact(c.startsAt)}</dd><dt>to</dt><dd>${exact(c.endsAt)}</dd>` +
    `<dt>signatures</dt><dd>${j.signatures ? "requester's and provider's, both over the terms" : "none (the network has no authority: approval by cluster membership)"}</dd></dl></section>`;
  if (j.failure) {
    const heading = j.state === "Cancelled" || j.failure.reason === "cancelled" ? "Cancelled" : `Failed: ${esc(j.failure.reason)}`;
    html += `<section class="failure" id="failure"><h2>${heading}</h2><p>${note(j.failure.message)}</p></section>`;
  }
  if (!j.final && !c && !j.failure) {
    const now = [];
    if (j.awaitingBids) now.push(`waiting for bids from ${j.awaitingBids.providers.map(esc).join(", ")} until ${exact(j.awaitingBids.until)}`);
    if (j.waiting) now.push(`${note(j.waiting.message)}; search ${j.waiting.attempt} ${when(j.waiting.nextSearchAt)}`);
    if (now.length) html += `<section><h2>Now</h2><p>${now.join("<br>")}</p></section>`;
  }
  return html;
}

function runs(j) {
  if (!j.description.execution) return "";
  const all = [...j.runs, ...(j.currentRun ? [j.currentRun] : [])];
  const result = o => !o ? "running" : o.failure ? `${esc(o.failure)}: ${note(o.detail)}` : note(o.detail);
  const rows = all.map(r => `<tr data-key="${r.run}"><td class="number">${r.run}</td><td class="mono">${esc(r.providerId)}</td><td class="mono">${exact(r.startedAt)}</td>` +
    `<td class="mono">${exact(r.endedAt)}</td><td class="number">${r.endedAt ? span(new Date(r.endedAt) - new Date(r.startedAt)) : ""}</td>` +
    `<td class="number">${r.outcome && r.outcome.exitCode != null ? r.outcome.exitCode : ""}</td><td class="run-outcome">${result(r.outcome)}</td></tr>`);
  const latest = all[all.length - 1];
  const outputs = latest && latest.outcome ? latest.outcome.outputs.map(o =>
    `<li><a href="${api}/orchestrator/jobs/${enc(j.jobId)}/outputs/${enc(o.name)}">${esc(o.name)}</a> ${o.bytes} bytes, sha256 <span class="mono">${esc(o.sha256)}</span></li>`).join("") : "";
  return `<section><h2>Runs (${esc(j.description.execution.executor)})</h2>` +
    (rows.length ? table(["run", "provider", "started", "ended", "took", "exit", "outcome"], rows) : '<p class="muted">the program has not started yet</p>') +
    (outputs ? `<h2>Result files</h2><ul>${outputs}</ul>` : "") +
    (latest ? `<div id="logs" data-key="logs" data-live><p class="muted">reading the output…</p></div>` : "") + "</section>";
}

function settlements(j) {
  const rows = (j.settlements || []).map(s => {
    const t = s.settlement, u = s.receipt;
    const signed = [s.requesterProof ? "requester" : "", s.providerProof ? "provider" : "", s.receiptProof ? "receipt (provider)" : ""].filter(x => x).join(", ") || "none";
    return `<tr data-key="${esc(s.contractId)}" data-contract-id="${esc(s.contractId)}"><td class="mono nowrap">${esc(s.contractId)}</td><td class="settlement-state">${esc(s.state)}</td>` +
      `<td class="settlement-amount">${t ? money(t.amount, t.currency) : ""}</td><td>${t ? esc(t.basis) : s.disputeReason ? `disputed by the ${esc(s.disputedBy)}: ${esc(s.disputeReason)}` : ""}</td>` +
      `<td>${u ? `${u.wallMs} ms wall, ${u.cpuMs} ms cpu, ${bytes(u.peakMemoryBytes)} peak` : ""}</td><td>${signed}</td>` +
      `<td>${s.transfer ? `${esc(s.transfer.provider)}: ${esc(s.transfer.reference)}` : ""}</td></tr>`;
  });
  return rows.length ? `<section><h2>Settlement</h2>${table(["contract", "state", "amount", "how", "usage", "signed by", "transfer"], rows)}</section>` : "";
}

function jobPage(j) {
  title(`Job ${j.jobId}`);
  const cancel = access.canAct && !j.final ? `<button id="cancel" type="button">Cancel the job</button>` : "";
  return `<h1 data-final="${j.final}">Job <span class="mono">${esc(j.jobId)}</span> <span id="job-state">${state(j.state)}</span>${cancel}</h1>` +
    `<p class="muted">${esc(j.orchestrationType)}, by ${esc(j.requester)}, hosted on <span class="mono">${esc(j.hostedBy)}</span>; ` +
    `posted ${when(j.postedAt)}; deadline ${exact(j.deadline)}</p>` +
    outcome(j) + runs(j) + settlements(j) + timeline(j) + askedProviders(j) + explanation(j);
}

const settling = j => (j.settlements || []).some(s => s.state === "awaiting-receipt" || s.state === "proposed" || (s.state === "settled" && !s.transfer));

/**
 * A job's page: drawn once, then again on each change its event stream brings (coalesced: the stream's replay of the
 * history draws nothing new). The stream is opened only while the job can still change and closed on its final
 * state, so a finished job's page makes no request at all once drawn. Its program's output streams in as printed.
 */
function jobView(id) {
  let closed = false, events = null, seen = -1, drawing = null, again = false;
  let logs = null, logsOfRun = null, settleTimer = null, settleDelay = 1000;

  async function draw() {
    if (drawing) { again = true; return; }
    drawing = (async () => {
      let j = null, html;
      try { j = await get("/orchestrator/jobs/" + enc(id)); html = jobPage(j); }
      catch (e) { title(`Job ${id}`); html = `<h1>Job <span class="mono">${esc(id)}</span></h1><p class="error" role="alert">${esc(e.message)}</p>`; }
      if (closed) return;
      morph(view, html);
      view.dataset.drawn = String((+view.dataset.drawn || 0) + 1);
      if (j) follow(j);
    })();
    await drawing;
    drawing = null;
    if (again && !closed) { again = false; draw(); }
  }

  function follow(j) {
    seen = Math.max(seen, j.history.length - 1);
    if (j.final && events) { events.close(); events = null; }
    if (!j.final && !events) {
      events = new EventSource(api + "/orchestrator/jobs/" + enc(id) + "/events");
      events.addEventListener("state", e => {
        const change = JSON.parse(e.data);
        if (change.final && events) { events.close(); events = null; }
        if (+e.lastEventId > seen || change.final) draw();
      });
    }
    // A finished job's settlement may still be on its way (the receipt, the countersignature, the transfer): the page
    // looks again, less and less often, until it is done; then it makes no request at all.
    if (j.final && settling(j) && !settleTimer) {
      settleTimer = setTimeout(() => { settleTimer = null; settleDelay = Math.min(settleDelay * 2, 60000); draw(); }, settleDelay);
    }
    const run = j.currentRun || j.runs[j.runs.length - 1];
    if (run && logsOfRun !== run.run) {
      logsOfRun = run.run;
      if (logs) logs.abort();
      logs = new AbortController();
      readLogs(logs.signal);
    }
  }

  // Both streams of the latest run, as printed (?follow=true ends when the run does, at once for a run that ended).
  async function readLogs(signal) {
    const text = { stdout: "", stderr: "" };
    const show = () => {
      const box = document.getElementById("logs");
      if (!box) return;
      morph(box, `<h2>stdout</h2><pre id="stdout" tabindex="0">${esc(text.stdout) || '<span class="muted">(nothing printed)</span>'}</pre>` +
        (text.stderr ? `<h2>stderr</h2><pre id="stderr" tabindex="0">${esc(text.stderr)}</pre>` : ""));
    };
    const read = async stream => {
      try {
        const answer = await fetch(`${api}/orchestrator/jobs/${enc(id)}/logs?follow=true${stream === "stderr" ? "&stream=stderr" : ""}`, { signal });
        if (!answer.ok) { text[stream] = `(${(await failure("logs", answer)).message})`; show(); return; }
        const reader = answer.body.getReader(), decoder = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text[stream] += decoder.decode(value, { stream: true });
          show();
        }
      } catch (e) { if (e.name !== "AbortError") { text[stream] += `\n(${e.message})`; } }
      show();
    };
    await Promise.all([read("stdout"), read("stderr")]);
  }

  view.onclick = async ev => {
    if (ev.target.id !== "cancel") return;
    ev.target.disabled = true;
    try { await post("/orchestrator/jobs/" + enc(id) + "/cancel"); say(`Job ${id} cancelled.`); }
    catch (e) { say(e.message, true); }
    draw();
  };
  draw();
  return () => { closed = true; if (events) events.close(); if (logs) logs.abort(); clearTimeout(settleTimer); view.onclick = null; };
}

// ---- Providers ----------------------------------------------------------------------------------------------------

async function providersPage() {
  title("Providers");
  const providers = await get("/orchestrator/providers");
  const bar = (total, p, text) => {
    const pct = v => total ? (100 * v / total).toFixed(1) : 0;
    return `${text}<div class="bar" title="${p.contracted} contracted, ${p.locked} locked, ${p.free} free of ${total}">` +
      `<div class="contracted" style="width:${pct(p.contracted)}%"></div><div class="locked" style="width:${pct(p.locked)}%"></div></div>`;
  };
  const rows = providers.map(p => {
    const r = p.capability.resources, cap = p.capability;
    const of = k => ({ free: p.free[k], locked: p.locked[k], contracted: p.contracted[k] });
    const where = cap.localities.map(l => esc(l.name)).join(", ");
    const gpus = Object.entries(r.gpus.reduce((m, g) => { const k = `${g.vendor} ${g.model}, ${mb(g.vramMb)}`; m[k] = (m[k] || 0) + 1; return m; }, {}))
      .map(([k, n]) => `${n}× ${esc(k)}`).join("<br>");
    const contractsById = new Map(p.contracts.map(c => [c.contractId, c]));
    const running = p.allocations.map(id => { const c = contractsById.get(id); return c ? jobLink(c.jobId) : `<span class="mono">${esc(id)}</span>`; }).join("<br>");
    return `<tr data-key="${esc(p.providerId)}" data-provider-id="${esc(p.providerId)}"><td><span class="mono">${esc(p.providerId)}</span>${p.offboarding ? ' <span class="muted">(offboarding)</span>' : ""}` +
      `<div class="muted small">${where ? `${where} · ` : ""}${esc(cap.executors.join(", "))}</div></td>` +
      `<td>${bar(r.cpuCores, of("cpuCores"), `${p.free.cpuCores} of ${r.cpuCores} cores free`)}${r.architecture ? `<div class="muted small">${esc(r.architecture)}${r.cpuClockMhz ? `, ${(r.cpuClockMhz / 1000).toFixed(1)} GHz` : ""}</div>` : ""}</td>` +
      `<td>${bar(r.ramMb, of("ramMb"), `${mb(p.free.ramMb)} of ${mb(r.ramMb)} free`)}</td>` +
      `<td class="gpus">${r.gpus.length ? `${bar(r.gpus.length, of("gpus"), `${p.free.gpus} of ${r.gpus.length} free`)}<div class="small">${gpus}</div>` : '<span class="muted">none</span>'}</td>` +
      `<td class="disk">${bar(r.diskGb, of("diskGb"), `${gb(p.free.diskGb)} of ${gb(r.diskGb)} free`)}${r.diskType ? `<div class="muted small">${esc(r.diskType)}</div>` : ""}</td>` +
      `<td class="running">${running || '<span class="muted">none</span>'}</td><td class="number">${p.locks.length}</td><td class="number">${p.contracts.length}</td>` +
      `<td>${esc(cap.pricePerResult != null ? `${cap.pricePerResult} ${cap.currency} per result` : `${cap.pricePerHour} ${cap.currency} / h`)}</td>` +
      `<td class="earnings">${(p.earnings || []).map(e => money(e.amount, e.currency)).join(", ") || '<span class="muted">nothing yet</span>'}` +
      `${p.unsettled && p.unsettled.length ? ` <span class="muted">(${p.unsettled.length} to settle)</span>` : ""}</td></tr>`;
  });
  const gpuCount = providers.reduce((n, p) => n + p.capability.resources.gpus.length, 0), gpuFree = providers.reduce((n, p) => n + p.free.gpus, 0);
  return `<h1>Providers</h1><p class="muted">${providers.length} provider(s); ${gpuFree} of ${gpuCount} GPU(s) free.</p>` +
    `<p class="legend" aria-hidden="true"><i style="background:var(--contracted)"></i>contracted<i style="background:var(--locked)"></i>locked<i style="background:var(--free)"></i>free</p>` +
    `<section>${table(["provider", "CPU", "RAM", "GPU", "disk", "running", "locks", "contracts", "price", "earned (settled)"], rows, { cls: "providers" })}</section>`;
}

// ---- Settlements --------------------------------------------------------------------------------------------------

async function settlementsPage(params) {
  const filter = params.get("state") || "", page = Math.max(1, parseInt(params.get("page"), 10) || 1);
  title(filter ? `Settlements ${filter}` : "Settlements");
  const query = new URLSearchParams({ offset: (page - 1) * PageSize, limit: PageSize });
  if (filter) query.set("state", filter);
  const list = await get("/orchestrator/settlements?" + query);
  const filters = filterLinks(["", "awaiting-receipt", "proposed", "settled", "disputed"], filter, s => hashOf("/settlements", { state: s }), s => s || "all");
  const rows = list.rows.map(r => `<tr data-key="${esc(r.contractId)}"><td><a class="mono" href="#/jobs/${enc(r.jobId)}">${esc(r.contractId)}</a></td><td>${esc(r.state)}</td>` +
    `<td class="mono">${esc(r.requester)}</td><td class="mono">${esc(r.providerId)}</td><td>${r.currency ? money(r.amount, r.currency) : ""}</td><td>${when(r.updatedAt)}</td></tr>`);
  const totals = list.totals.map(t => `<span>${money(t.amount, t.currency)} settled over ${t.settled} of ${t.rows}</span>`).join("");
  return `<h1>Settlements</h1><div class="toolbar"><div class="filters" role="navigation" aria-label="Filter by state">${filters}</div></div>` +
    `<p class="counts" id="settlement-totals">${totals || '<span class="muted">nothing settled yet</span>'}</p>` +
    `<section>${table(["contract", "state", "requester", "provider", "amount", "updated"], rows)}` +
    `${pager(list.total, list.offset, list.rows.length, n => hashOf("/settlements", { state: filter, page: n > 1 ? n : "" }), "rows")}<p class="muted small">Updates every 2 s.</p></section>`;
}

// ---- Routing ------------------------------------------------------------------------------------------------------

function route() {
  stopPage();
  const { path, params } = here();
  for (const a of document.querySelectorAll("header nav a")) {
    const page = a.getAttribute("data-page");
    if (page === "/" ? path === "/" : path === page || path.startsWith(page + "/")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const search = document.getElementById("job-search");
  if (search && document.activeElement !== search) search.value = params.get("search") || "";
  const job = path.match(/^\/jobs\/(.+)$/);
  if (job) stopPage = jobView(decodeURIComponent(job[1]));
  else if (path === "/jobs") stopPage = live(() => jobsPage(params), 2000);
  else if (path === "/settlements") stopPage = live(() => settlementsPage(params), 2000);
  else if (path === "/providers") stopPage = live(providersPage, 2000);
  else stopPage = live(clusterPage, 3000);
}

window.addEventListener("hashchange", () => { say(""); route(); });
checkAccess().then(route);
