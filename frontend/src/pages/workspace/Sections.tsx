import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type DragEvent, type FormEvent, type ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import type { Schema } from "../../api/client";
import { usePlans } from "../../api/plans";
import { Consumption } from "../../components/Consumption";
import { DailyChart } from "../../components/DailyChart";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { currentPeriod, formatCount, formatDateTime, formatUsd, recentPeriods } from "../../lib/format";
import { usePageTitle } from "../../lib/title";
import * as ws from "./api";
import { useWorkspaceToken, WORKSPACE_NEEDS } from "./Workspace";

const FINISHED: Schema<"JobState">[] = ["succeeded", "partially_failed", "failed"];

/** `/workspace`: the tenant's own usage against its quotas and its projected monthly cost. */
export function UsageSection() {
  usePageTitle("Workspace usage");
  const token = useWorkspaceToken();
  const [params, setParams] = useSearchParams();
  const period = params.get("period") ?? currentPeriod();
  const plans = usePlans();
  const usage = useQuery({ queryKey: ["own-usage", token, period], queryFn: () => ws.ownUsage(token, period), retry: false });
  const snap = usage.data?.snapshot;
  return (
    <section aria-labelledby="ws-usage">
      <h2 id="ws-usage">Usage</h2>
      <div className="toolbar">
        <div className="field-inline">
          <label htmlFor="ws-period">Period</label>
          <select id="ws-period" value={period} onChange={(e) => setParams({ period: e.target.value })}>
            {recentPeriods(12).map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
      </div>
      {usage.isPending ? <Loading what="your usage" /> : null}
      {usage.isError ? <ErrorNotice error={usage.error} needs={{ ...WORKSPACE_NEEDS, scopes: ["usage:read"] }} onRetry={() => usage.refetch()} /> : null}
      {snap ? (
        <>
          <ul className="tiles" aria-label="Costs">
            <li className="tile"><span className="tile-label">Plan</span><span className="tile-value">{snap.plan_id}</span></li>
            <li className="tile"><span className="tile-label">Cost to date</span><span className="tile-value">{formatUsd(snap.cost_to_date_usd)}</span></li>
            <li className="tile"><span className="tile-label">Projected monthly cost</span><span className="tile-value" data-testid="projected-cost">{formatUsd(snap.projected_monthly_cost_usd)}</span></li>
          </ul>
          <Consumption snapshot={snap} catalogue={plans.data} />
          {usage.data!.alerts.length ? (
            <ul className="notice notice-warn">
              {usage.data!.alerts.map((a) => (
                <li key={`${a.dimension}${a.level}`}>
                  {a.level} alert on {a.dimension} at {Math.round(a.consumption * 100)} % ({formatDateTime(a.triggered_at)})
                </li>
              ))}
            </ul>
          ) : null}
          <DailyChart days={usage.data!.daily} caption={`Daily usage in ${period}`} />
        </>
      ) : null}
    </section>
  );
}

/** `/workspace/upload`: drag and drop or pick files; the job's progress and per-document errors. */
export function UploadSection() {
  usePageTitle("Upload documents");
  const token = useWorkspaceToken();
  const [params, setParams] = useSearchParams();
  const jobId = params.get("job");
  const [files, setFiles] = useState<File[]>([]);
  const [dragging, setDragging] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [folder, setFolder] = useState("");
  const [folderError, setFolderError] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);
  const job = useQuery({
    queryKey: ["job", token, jobId],
    queryFn: () => ws.getJob(token, jobId!),
    enabled: !!jobId,
    // A job just accepted may not be readable yet on another instance: keep asking a while.
    retry: 3,
    refetchInterval: (q) => (q.state.data && FINISHED.includes(q.state.data.status) ? false : 700),
  });
  const jobs = useQuery({ queryKey: ["jobs", token, job.data?.status], queryFn: () => ws.listJobs(token), retry: false });
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    setFiles((f) => [...f, ...Array.from(e.dataTransfer.files)]);
  };
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!files.length) return;
    setBusy(true);
    setUploadError(null);
    try {
      const status = await ws.uploadFiles(token, files);
      setFiles([]);
      setParams({ job: status.job_id });
    } catch (err) {
      setUploadError(err);
    } finally {
      setBusy(false);
    }
  };
  const onFolder = async (e: FormEvent) => {
    e.preventDefault();
    if (!folder.trim()) return;
    setBusy(true);
    setFolderError(null);
    try {
      const status = await ws.ingestFolder(token, folder.trim());
      setParams({ job: status.job_id });
    } catch (err) {
      setFolderError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="ws-upload">
      <h2 id="ws-upload">Upload documents</h2>
      <form onSubmit={onSubmit} className="card">
        <div
          className={`dropzone${dragging ? " dragging" : ""}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          data-testid="dropzone"
        >
          <p>Drop .txt, .md, .html, .eml, .pdf or .docx files here, or</p>
          <label htmlFor="files" className="button secondary">
            Choose files
          </label>
          <input
            ref={input}
            id="files"
            type="file"
            multiple
            className="visually-hidden-input"
            accept=".txt,.md,.html,.htm,.eml,.pdf,.docx"
            onChange={(e) => setFiles((f) => [...f, ...Array.from(e.target.files ?? [])])}
          />
        </div>
        {files.length ? (
          <ul className="file-list" aria-label="Files to upload">
            {files.map((f, i) => (
              <li key={`${f.name}-${i}`}>
                {f.name} ({formatCount(f.size)} bytes)
              </li>
            ))}
          </ul>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={!files.length || busy}>
            {busy ? "Uploading…" : `Upload ${files.length || ""} file${files.length === 1 ? "" : "s"}`}
          </button>
          {files.length ? (
            <button type="button" className="secondary" onClick={() => setFiles([])}>
              Clear
            </button>
          ) : null}
        </div>
        {uploadError ? <ErrorNotice error={uploadError} needs={{ ...WORKSPACE_NEEDS, scopes: ["ingest:write"] }} /> : null}
      </form>
      <form onSubmit={onFolder} className="card" aria-labelledby="ws-folder">
        <h3 id="ws-folder">Ingest a folder on the server</h3>
        <div className="field">
          <label htmlFor="folder">Server folder</label>
          <input id="folder" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="matters/acme-v-globex" aria-describedby="folder-hint" />
          <p id="folder-hint" className="hint">
            A folder or file inside an ingest root the server grants your tenant (DOCKET_INGEST_ROOTS), as root-name/sub/folder.
          </p>
        </div>
        <div className="actions">
          <button type="submit" disabled={!folder.trim() || busy}>
            Start ingestion
          </button>
        </div>
        {folderError ? <ErrorNotice error={folderError} needs={{ ...WORKSPACE_NEEDS, scopes: ["ingest:write"] }} /> : null}
      </form>
      {jobId ? (
        <div className="card" aria-live="polite">
          <h3>Job {jobId}</h3>
          {job.isError ? <ErrorNotice error={job.error} needs={{ ...WORKSPACE_NEEDS, scopes: ["ingest:read"] }} onRetry={() => job.refetch()} /> : null}
          {job.data ? <JobView job={job.data} /> : <Loading what="the job" />}
        </div>
      ) : null}
      {jobs.data?.length ? (
        <div className="table-wrap">
          <table>
            <caption>Recent ingestion jobs</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Ingested</th>
                <th scope="col">Failed</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.slice(0, 10).map((j) => (
                <tr key={j.job_id}>
                  <td><Link to={`/workspace/upload?job=${j.job_id}`}>{j.job_id.slice(0, 8)}…</Link></td>
                  <td>{j.status}</td>
                  <td>{formatCount(j.ingested)}</td>
                  <td>{formatCount(j.failed)}</td>
                  <td>{formatDateTime(j.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function JobView({ job }: { job: Schema<"JobStatus"> }) {
  const done = job.ingested + job.duplicates + job.failed;
  return (
    <>
      <p data-testid="job-status">
        Status: <strong>{job.status.replace("_", " ")}</strong>
      </p>
      <progress max={Math.max(job.discovered, 1)} value={done} aria-label="Documents processed">
        {done} of {job.discovered}
      </progress>
      <p>
        {formatCount(done)} of {formatCount(job.discovered)} processed: {formatCount(job.ingested)} ingested, {formatCount(job.duplicates)} duplicates,{" "}
        {formatCount(job.failed)} failed; {formatCount(job.bytes)} bytes.
      </p>
      {job.errors.length ? (
        <ul className="notice notice-error" aria-label="Documents that failed">
          {job.errors.map((e) => (
            <li key={e.source}>
              <strong>{e.source}</strong>: {e.error}
            </li>
          ))}
        </ul>
      ) : null}
      {FINISHED.includes(job.status) ? (
        <p>
          <Link to="/workspace/documents">See the documents</Link> or <Link to="/workspace/search">search them</Link>.
        </p>
      ) : null}
    </>
  );
}

/** `/workspace/documents`: the tenant's documents, paged and filtered by source type. */
export function DocumentsSection() {
  usePageTitle("Documents");
  const token = useWorkspaceToken();
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const sourceType = (params.get("source_type") as Schema<"SourceType">) || undefined;
  const docs = useQuery({
    queryKey: ["documents", token, page, sourceType],
    queryFn: () => ws.listDocuments(token, page, 25, sourceType),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const pages = docs.data ? Math.max(1, Math.ceil(docs.data.total / docs.data.page_size)) : 1;
  return (
    <section aria-labelledby="ws-docs">
      <h2 id="ws-docs">Documents</h2>
      <div className="toolbar">
        <div className="field-inline">
          <label htmlFor="doc-source">Source type</label>
          <select id="doc-source" value={sourceType ?? ""} onChange={(e) => setParams(e.target.value ? { source_type: e.target.value } : {})}>
            <option value="">All</option>
            <option value="upload">Upload</option>
            <option value="local">Local folder</option>
            <option value="inline">Inline</option>
            <option value="attachment">Attachment</option>
          </select>
        </div>
      </div>
      {docs.isPending ? <Loading what="documents" /> : null}
      {docs.isError ? <ErrorNotice error={docs.error} needs={{ ...WORKSPACE_NEEDS, scopes: ["ingest:read"] }} onRetry={() => docs.refetch()} /> : null}
      {docs.data ? (
        <>
          <div className="table-wrap">
            <table>
              <caption>{formatCount(docs.data.total)} documents</caption>
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">Source</th>
                  <th scope="col">Type</th>
                  <th scope="col">Date</th>
                  <th scope="col">Size</th>
                </tr>
              </thead>
              <tbody>
                {docs.data.documents.length === 0 ? (
                  <tr>
                    <td colSpan={5}>
                      No documents yet. <Link to="/workspace/upload">Upload some</Link>.
                    </td>
                  </tr>
                ) : null}
                {docs.data.documents.map((d) => (
                  <tr key={d.id}>
                    <th scope="row">{d.title ?? d.source}</th>
                    <td>{d.source}</td>
                    <td>{d.source_type}</td>
                    <td>{formatDateTime(d.document_date)}</td>
                    <td>{formatCount(d.bytes)} B</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={page} pages={pages} onPage={(p) => setParams((s) => { s.set("page", String(p)); return s; })} />
        </>
      ) : null}
    </section>
  );
}

function Pager({ page, pages, onPage }: { page: number; pages: number; onPage: (p: number) => void }) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" className="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </nav>
  );
}

/**
 * A passage with its highlighted ranges marked. The server's ranges are UTF-8 byte offsets
 * into the text (as its schema says), so the text is cut as bytes, not as UTF-16 units.
 */
export function Highlighted({ text, ranges }: { text: string; ranges: { start: number; end: number }[] }) {
  const bytes = new TextEncoder().encode(text);
  const decode = (a: number, b: number) => new TextDecoder().decode(bytes.subarray(a, b));
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: ReactNode[] = [];
  let at = 0;
  sorted.forEach((r, i) => {
    if (r.start < at || r.end > bytes.length || r.end <= r.start) return;
    out.push(decode(at, r.start));
    out.push(<mark key={i}>{decode(r.start, r.end)}</mark>);
    at = r.end;
  });
  out.push(decode(at, bytes.length));
  return <>{out}</>;
}

/** `/workspace/search`: passages with highlights and citations, the extractive answer, filters and paging. */
export function SearchSection() {
  usePageTitle("Search");
  const token = useWorkspaceToken();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const source = params.get("source") ?? "";
  const entity = params.get("entity") ?? "";
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const [draft, setDraft] = useState({ q, source, entity });
  useEffect(() => setDraft({ q, source, entity }), [q, source, entity]);
  const result = useQuery({
    queryKey: ["search", token, q, source, entity, page],
    queryFn: () => ws.search(token, q, page, 10, source || undefined, entity || undefined),
    enabled: q.trim() !== "",
    placeholderData: keepPreviousData,
    retry: false,
  });
  const run = (e: FormEvent) => {
    e.preventDefault();
    const next: Record<string, string> = {};
    if (draft.q.trim()) next.q = draft.q.trim();
    if (draft.source.trim()) next.source = draft.source.trim();
    if (draft.entity.trim()) next.entity = draft.entity.trim();
    setParams(next);
  };
  const data = result.data;
  const pages = data ? Math.max(1, Math.ceil(data.total_hits / data.page_size)) : 1;
  return (
    <section aria-labelledby="ws-search">
      <h2 id="ws-search">Search</h2>
      <form role="search" className="toolbar" onSubmit={run}>
        <div className="field-inline grow">
          <label htmlFor="q">Search the documents</label>
          <input id="q" type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </div>
        <div className="field-inline">
          <label htmlFor="f-source">Source contains</label>
          <input id="f-source" value={draft.source} onChange={(e) => setDraft({ ...draft, source: e.target.value })} />
        </div>
        <div className="field-inline">
          <label htmlFor="f-entity">Entity id</label>
          <input id="f-entity" value={draft.entity} placeholder="org:meridian-shipping-corp" onChange={(e) => setDraft({ ...draft, entity: e.target.value })} />
        </div>
        <button type="submit">Search</button>
      </form>
      <p className="hint">Phrases in quotes, AND / OR between terms, from: to: subject: title: fields. Documents holding more of the words come first.</p>
      {result.isError ? <ErrorNotice error={result.error} needs={{ ...WORKSPACE_NEEDS, scopes: ["query:read"] }} onRetry={() => result.refetch()} /> : null}
      {result.isFetching && !data ? <Loading what="results" /> : null}
      {data ? (
        <>
          <p role="status">
            {formatCount(data.total_hits)} documents for “{q}” ({data.took_ms} ms)
          </p>
          {data.answer.length ? (
            <div className="card answer">
              <h3>Answer from the documents</h3>
              <ol>
                {data.answer.map((a, i) => (
                  <li key={i}>
                    {a.sentence} <cite>[{a.citation.source}, characters {a.citation.passage_start}–{a.citation.passage_end}]</cite>
                  </li>
                ))}
              </ol>
            </div>
          ) : null}
          <ol className="hits">
            {data.results.map((h) => (
              <li key={`${h.document_id}-${h.passage.start}`} className="card hit">
                <h3>{h.title ?? h.source}</h3>
                {(h.passages.length ? h.passages : [h.passage]).map((p) => (
                  <p className="passage" key={p.start}>
                    <Highlighted text={p.text} ranges={p.highlights} />
                  </p>
                ))}
                {h.missing_terms.length ? <p className="hint">Missing: {h.missing_terms.join(", ")}</p> : null}
                <p className="citation">
                  <cite>
                    {h.citation.source}, characters {h.citation.passage_start}–{h.citation.passage_end}
                  </cite>{" "}
                  · {formatCount(h.matching_passages)} matching passages · score {h.score.toFixed(2)}
                </p>
              </li>
            ))}
          </ol>
          <Pager page={page} pages={pages} onPage={(p) => setParams((s) => { s.set("page", String(p)); return s; })} />
        </>
      ) : null}
    </section>
  );
}

/** `/workspace/timeline`: dated events, date range and entity filters, infinite scroll over the cursor. */
export function TimelineSection() {
  usePageTitle("Timeline");
  const token = useWorkspaceToken();
  const [params, setParams] = useSearchParams();
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  const entity = params.get("entity") ?? "";
  const events = useInfiniteQuery({
    queryKey: ["timeline", token, from, to, entity],
    queryFn: ({ pageParam }) => ws.timeline(token, { cursor: pageParam, from: from || undefined, to: to || undefined, entity: entity || undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    retry: false,
  });
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === "undefined") return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && events.hasNextPage && !events.isFetchingNextPage) void events.fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [events]);
  const set = (k: string, v: string) =>
    setParams((s) => {
      if (v) s.set(k, v);
      else s.delete(k);
      return s;
    });
  const all = events.data?.pages.flatMap((p) => p.events) ?? [];
  return (
    <section aria-labelledby="ws-timeline">
      <h2 id="ws-timeline">Timeline</h2>
      <div className="toolbar">
        <div className="field-inline">
          <label htmlFor="t-from">From</label>
          <input id="t-from" type="date" value={from} onChange={(e) => set("from", e.target.value)} />
        </div>
        <div className="field-inline">
          <label htmlFor="t-to">To</label>
          <input id="t-to" type="date" value={to} onChange={(e) => set("to", e.target.value)} />
        </div>
        <div className="field-inline">
          <label htmlFor="t-entity">Entity id</label>
          <input id="t-entity" defaultValue={entity} placeholder="person:dana-whitfield" onBlur={(e) => set("entity", e.target.value.trim())} />
        </div>
      </div>
      {events.isPending ? <Loading what="the timeline" /> : null}
      {events.isError ? <ErrorNotice error={events.error} needs={{ ...WORKSPACE_NEEDS, scopes: ["timeline:read"] }} onRetry={() => events.refetch()} /> : null}
      {events.data && all.length === 0 ? <p>No dated events match. Widen the date range or clear the entity.</p> : null}
      <ol className="timeline" data-testid="timeline">
        {all.map((ev) => (
          <li key={ev.id} className="event">
            <time dateTime={ev.ts}>{ev.ts}</time>
            <div>
              <p className="event-title">{ev.title}</p>
              <p>
                <Highlighted text={ev.summary} ranges={ev.entity_highlights} />
              </p>
              <p className="citation">
                {ev.entity_highlights.map((h) => (
                  <Link key={`${h.entity_id}-${h.start}`} to={`/workspace/entities/${encodeURIComponent(h.entity_id)}`} className="chip">
                    {h.text}
                  </Link>
                ))}{" "}
                <cite>
                  {ev.origin}, precision {ev.precision}, confidence {Math.round(ev.confidence * 100)} %
                </cite>
              </p>
            </div>
          </li>
        ))}
      </ol>
      <div ref={sentinel} />
      {events.hasNextPage ? (
        <button type="button" className="secondary" onClick={() => events.fetchNextPage()} disabled={events.isFetchingNextPage}>
          {events.isFetchingNextPage ? "Loading more…" : "Load more events"}
        </button>
      ) : events.data && all.length ? (
        <p className="hint">End of the timeline ({formatCount(all.length)} events).</p>
      ) : null}
    </section>
  );
}

/** `/workspace/entities` and `/workspace/entities/:id`: entities and one entity's neighbourhood. */
export function EntitiesSection() {
  const { entityId } = useParams();
  usePageTitle(entityId ? `Entity ${entityId}` : "Entities");
  const token = useWorkspaceToken();
  const [filter, setFilter] = useState("");
  const list = useQuery({ queryKey: ["entities", token], queryFn: () => ws.entities(token, undefined, 100), retry: false });
  const hood = useQuery({
    queryKey: ["neighbour", token, entityId],
    queryFn: () => ws.neighbourhood(token, entityId!),
    enabled: !!entityId,
    retry: false,
  });
  const shown = (list.data ?? []).filter((e) => e.normalized.toLowerCase().includes(filter.toLowerCase()));
  return (
    <section aria-labelledby="ws-entities">
      <h2 id="ws-entities">Entities</h2>
      <div className="split">
        <div>
          <label htmlFor="e-filter">Filter entities</label>
          <input id="e-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
          {list.isError ? <ErrorNotice error={list.error} needs={{ ...WORKSPACE_NEEDS, scopes: ["query:read"] }} onRetry={() => list.refetch()} /> : null}
          <ul className="entity-list">
            {shown.map((e) => (
              <li key={e.id}>
                <Link to={`/workspace/entities/${encodeURIComponent(e.id)}`} aria-current={e.id === entityId ? "page" : undefined}>
                  {e.normalized}
                </Link>{" "}
                <span className="sub">
                  {e.kind} · {formatCount(e.documents)} documents
                </span>
              </li>
            ))}
          </ul>
        </div>
        <div>
          {!entityId ? <p>Choose an entity to see its documents and the entities it appears with.</p> : null}
          {hood.isError ? <ErrorNotice error={hood.error} needs={{ ...WORKSPACE_NEEDS, scopes: ["query:read"] }} /> : null}
          {hood.data ? (
            <div className="card">
              <h3>{hood.data.entity.normalized}</h3>
              <p>
                {hood.data.entity.kind}, {formatCount(hood.data.entity.mentions)} mentions in {formatCount(hood.data.entity.documents)} documents.{" "}
                <Link to={`/workspace/timeline?entity=${encodeURIComponent(hood.data.entity.id)}`}>Its timeline</Link> ·{" "}
                <Link to={`/workspace/search?q=${encodeURIComponent(`"${hood.data.entity.normalized}"`)}`}>Search for it</Link>
              </p>
              <h4>Documents</h4>
              <ul>
                {hood.data.documents.map((d) => (
                  <li key={d.id}>
                    {d.title ?? d.source} ({formatCount(d.mentions)} mentions)
                  </li>
                ))}
              </ul>
              <h4>Appears with</h4>
              <ul>
                {hood.data.co_occurring.map((c) => (
                  <li key={c.entity.id}>
                    <Link to={`/workspace/entities/${encodeURIComponent(c.entity.id)}`}>{c.entity.normalized}</Link> ({formatCount(c.shared_documents)} shared
                    documents)
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      </div>
    </section>
  );
}
