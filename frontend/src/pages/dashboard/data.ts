/**
 * All dashboard data access lives here. Today `GET /billing/usage` returns every tenant, so
 * paging, sorting, filtering and the summary are computed from that list in this module.
 * When the server answers `limit`, `cursor`, `sort`, `flagged`, `plan`, `alert_level`, `q`
 * and returns its own `summary`, only `fetchTenantPage` changes: its callers already speak
 * in pages and cursors.
 */
import { bearer, query, requestJson, type Schema } from "../../api/client";
import { money } from "../../lib/format";

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

/** The summary tiles. */
export interface Summary {
  tenants: number;
  flagged: number;
  monthly_recurring_revenue_usd: number;
  projected_overage_usd: number;
}

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

function planPrice(t: Snapshot, catalogue?: Schema<"Catalogue">): number {
  const p = catalogue?.plans.find((x) => x.plan_id === t.plan_id);
  return p ? money(p.monthly_price_usd) : 0;
}

/** The summary over all tenants of the period. */
export function summarize(tenants: Snapshot[], catalogue?: Schema<"Catalogue">): Summary {
  let mrr = 0;
  let overage = 0;
  for (const t of tenants) {
    const price = planPrice(t, catalogue);
    mrr += price;
    overage += Math.max(0, money(t.projected_monthly_cost_usd) - price);
  }
  return {
    tenants: tenants.length,
    flagged: tenants.filter((t) => t.flagged).length,
    monthly_recurring_revenue_usd: Math.round(mrr * 100) / 100,
    projected_overage_usd: Math.round(overage * 100) / 100,
  };
}

const sorters: Record<SortKey, (t: Snapshot) => number | string> = {
  health: (t) => t.health_score,
  usage_ratio: (t) => t.usage_ratio,
  projected_cost: (t) => money(t.projected_monthly_cost_usd),
  last_activity: (t) => t.last_event_at ?? "",
  tenant: (t) => t.organization.toLowerCase(),
};

/** Filters and sorts a list the way the server will. */
export function selectTenants(all: Snapshot[], q: TenantQuery): Snapshot[] {
  const needle = q.q.trim().toLowerCase();
  const rows = all.filter(
    (t) =>
      (!q.flagged || t.flagged) &&
      (!q.plan || t.plan_id === q.plan) &&
      (!q.alert_level || t.alert_level === q.alert_level) &&
      (!needle || t.organization.toLowerCase().includes(needle) || t.tenant_id.includes(needle)),
  );
  const key = sorters[q.sort];
  const sign = q.dir === "asc" ? 1 : -1;
  return rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : a.tenant_id.localeCompare(b.tenant_id)) * sign;
  });
}

/** One page of the tenant table, with the summary. */
export async function fetchTenantPage(token: string, q: TenantQuery, catalogue?: Schema<"Catalogue">): Promise<TenantPage> {
  const report = await requestJson<Schema<"UsageReport">>(`/billing/usage${query({ period: q.period })}`, {
    headers: bearer(token),
  });
  const rows = selectTenants(report.tenants, q);
  const offset = Math.max(0, Number(q.cursor ?? 0) || 0);
  const end = offset + q.limit;
  return {
    period: report.period,
    generated_at: report.generated_at,
    rows: rows.slice(offset, end),
    matching: rows.length,
    next_cursor: end < rows.length ? String(end) : null,
    summary: summarize(report.tenants, catalogue),
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
