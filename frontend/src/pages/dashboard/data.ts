/**
 * All dashboard data access lives here. `GET /billing/usage` pages, sorts and filters on the
 * server (`limit`, `cursor`, `sort`, `flagged`, `plan`, `alert_level`, `q`) and returns the
 * summary of every matching tenant, so the browser holds one page at a time.
 */
import { bearer, query, requestJson, type Schema } from "../../api/client";

export type Snapshot = Schema<"TenantSnapshot">;
export type SortKey = "health" | "usage_ratio" | "projected_cost" | "last_activity" | "tenant";
export type SortDir = "asc" | "desc";

/** What the tenant table asks for: the same names the server's parameters will have. */
export interface TenantQuery {
  period?: string;
  sort: SortKey;
  dir: SortDir;
  flagged: boolean;
  plan: "" | Schema<"PlanId">;
  alert_level: "" | Schema<"AlertLevel">;
  q: string;
  limit: number;
  cursor?: string | null;
}

/** The summary tiles: the server's, over every tenant matching the filters. */
export type Summary = Schema<"UsageSummary">;

export interface TenantPage {
  period: string;
  generated_at: string;
  rows: Snapshot[];
  /** Rows matching the filters, over all pages. */
  matching: number;
  next_cursor: string | null;
  summary: Summary;
}

/** Why a tenant is flagged for triage, in words (health < 0.75 or usage ratio > 0.95). */
export function flagReasons(t: Snapshot): string[] {
  const out: string[] = [];
  if (t.health_score < 0.75) out.push(`health ${t.health_score.toFixed(2)} is below 0.75`);
  if (t.usage_ratio > 0.95) out.push(`usage ratio ${Math.round(t.usage_ratio * 100)} % is above 95 %`);
  if (!out.length && t.flagged) out.push("flagged by the server");
  return out;
}

/** The server's column for each sort key of the table ("tenant" is the organisation name). */
const serverSort: Record<SortKey, string> = {
  health: "health",
  usage_ratio: "usage_ratio",
  projected_cost: "projected_cost",
  last_activity: "last_activity",
  tenant: "organization",
};

/** The `sort` parameter for a key and direction: `-health` is descending. */
export function sortParam(sort: SortKey, dir: SortDir): string {
  return `${dir === "desc" ? "-" : ""}${serverSort[sort]}`;
}

/** One page of the tenant table, with the summary, as the server computed them. */
export async function fetchTenantPage(token: string, q: TenantQuery): Promise<TenantPage> {
  const params = {
    period: q.period,
    sort: sortParam(q.sort, q.dir),
    flagged: q.flagged ? "true" : undefined,
    plan: q.plan,
    alert_level: q.alert_level,
    q: q.q.trim(),
    limit: q.limit,
    cursor: q.cursor,
  };
  const report = await requestJson<Schema<"UsageReport">>(`/billing/usage${query(params)}`, { headers: bearer(token) });
  return {
    period: report.period,
    generated_at: report.generated_at,
    rows: report.tenants,
    matching: report.matching,
    next_cursor: report.next_cursor ?? null,
    summary: report.summary,
  };
}

/** One tenant's snapshot and alerts for a period. */
export async function fetchTenant(token: string, tenantId: string, period?: string) {
  const report = await requestJson<Schema<"UsageReport">>(`/billing/usage${query({ tenant_id: tenantId, period })}`, {
    headers: bearer(token),
  });
  const snapshot = report.tenants.find((t) => t.tenant_id === tenantId) ?? null;
  return { period: report.period, snapshot, alerts: report.alerts.filter((a) => a.tenant_id === tenantId) };
}

/** A tenant's daily usage for a period. */
export function fetchDaily(token: string, tenantId: string, period?: string) {
  return requestJson<Schema<"DailySeries">>(`/billing/usage/${encodeURIComponent(tenantId)}/daily${query({ period })}`, {
    headers: bearer(token),
  });
}
