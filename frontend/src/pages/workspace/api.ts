/** Workspace data access: the tenant's documents, jobs, search, timeline, entities and usage. */
import { api, bearer, query, requestJson, unwrap, type Schema } from "../../api/client";

export function uploadFiles(token: string, files: File[]) {
  const body = new FormData();
  for (const f of files) body.append("file", f, f.name);
  return requestJson<Schema<"JobStatus">>("/documents", { method: "POST", headers: bearer(token), body });
}

/** Start an ingestion of a folder or file on the server (inside a root granted to the tenant). */
export function ingestFolder(token: string, path: string) {
  const body: Schema<"IngestRequest"> = { sources: [{ type: "local", path }] };
  return requestJson<Schema<"JobStatus">>("/ingest", {
    method: "POST",
    headers: { ...bearer(token), "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

export function getJob(token: string, jobId: string) {
  return unwrap<Schema<"JobStatus">>(api.GET("/ingest/{job_id}", { params: { path: { job_id: jobId } }, headers: bearer(token) }));
}

export function listJobs(token: string) {
  return unwrap<Schema<"JobStatus">[]>(api.GET("/ingest", { headers: bearer(token) }));
}

export function listDocuments(token: string, page: number, pageSize: number, sourceType?: Schema<"SourceType">) {
  return unwrap<Schema<"DocumentPage">>(
    api.GET("/documents", { params: { query: { page, page_size: pageSize, source_type: sourceType } }, headers: bearer(token) }),
  );
}

export function search(token: string, q: string, page: number, pageSize: number, source?: string, entity?: string) {
  const params: Record<string, string | number | undefined> = { q, page, page_size: pageSize };
  if (source) params["filters[source]"] = source;
  if (entity) params["filters[entity]"] = entity;
  return requestJson<Schema<"SearchResponse">>(`/query${query(params)}`, { headers: bearer(token) });
}

export function timeline(token: string, p: { cursor?: string | null; from?: string; to?: string; entity?: string; limit?: number }) {
  return requestJson<Schema<"TimelinePage">>(
    `/timeline${query({ cursor: p.cursor, from_ts: p.from, to_ts: p.to, entity: p.entity, limit: p.limit ?? 25 })}`,
    { headers: bearer(token) },
  );
}

export function entities(token: string, q?: string, limit = 50) {
  return requestJson<Schema<"EntityInfo">[]>(`/entities${query({ q, limit })}`, { headers: bearer(token) });
}

export function neighbourhood(token: string, id: string) {
  return requestJson<Schema<"Neighborhood">>(`/graph/neighbor${query({ id })}`, { headers: bearer(token) });
}

export function ownUsage(token: string, period?: string) {
  return requestJson<Schema<"OwnUsage">>(`/usage${query({ period })}`, { headers: bearer(token) });
}
