import type { Schema } from "../src/api/client";

/**
 * `T` with every money field (a key ending in `_usd`) carried as `M` instead of the decimal
 * string the server sends.
 */
export type MoneyAs<T, M> = T extends readonly (infer U)[]
  ? MoneyAs<U, M>[]
  : T extends object
    ? { [K in keyof T]: K extends `${string}_usd` ? Exclude<T[K], string> | M : MoneyAs<T[K], M> }
    : T;

/** The older wire form: money as JSON numbers (3499, 0.015) rather than decimal strings. */
export type LegacyNumbers<T> = MoneyAs<T, number>;

/** A value in the older numeric form, for tests that check the UI still reads it. */
export function legacyNumbers<T>(value: T): LegacyNumbers<T> {
  return JSON.parse(
    JSON.stringify(value, (k, v) => (/_usd$/.test(k) && typeof v === "string" ? Number(v) : v)),
  ) as LegacyNumbers<T>;
}

/** The catalogue as the server sends it: amounts with two decimals, rates at their published precision. */
export const catalogue: Schema<"Catalogue"> = {
  alert_thresholds: { soft: 0.8, hard: 0.95 },
  plans: [
    { plan_id: "community", label: "Community", monthly_price_usd: "0.00", included_queries: 500, included_ingest_gb: 5, included_seats: 5, support_tier: "community", support_tier_label: "Community", support_sla_hours: 48, support_channels: ["async email", "forum"], support_contact_path: "async email / forum", overage_per_query_usd: "0.02", overage_per_gb_usd: "3.00" },
    { plan_id: "professional", label: "Professional", monthly_price_usd: "3499.00", included_queries: 5000, included_ingest_gb: 60, included_seats: 25, support_tier: "standard", support_tier_label: "Standard", support_sla_hours: 12, support_channels: ["Zendesk queue", "scheduled reviews"], support_contact_path: "Zendesk queue + scheduled reviews", overage_per_query_usd: "0.015", overage_per_gb_usd: "2.40" },
    { plan_id: "enterprise", label: "Enterprise", monthly_price_usd: "8999.00", included_queries: 20000, included_ingest_gb: 250, included_seats: 100, support_tier: "premium", support_tier_label: "Premium", support_sla_hours: 2, support_channels: ["24x7 hotline", "Slack Connect"], support_contact_path: "24x7 hotline + Slack Connect", overage_per_query_usd: "0.010", overage_per_gb_usd: "1.60" },
  ],
};

/** The same catalogue in the older numeric form (money as JSON numbers). */
export const legacyCatalogue: LegacyNumbers<Schema<"Catalogue">> = legacyNumbers(catalogue);

export function snapshot(over: Partial<Schema<"TenantSnapshot">>): Schema<"TenantSnapshot"> {
  return {
    tenant_id: "acme",
    organization: "Acme LLP",
    period: "2026-12",
    plan_id: "professional",
    support_tier: "standard",
    support_sla_hours: 12,
    queries: 100,
    ingest_bytes: 1_000_000_000,
    ingest_gb: 1,
    timeline_requests: 3,
    agent_runs: 0,
    active_seats: 5,
    usage_ratio: 0.2,
    consumption: { queries: 0.02, ingest_gb: 0.0167, seats: 0.2 },
    health_score: 0.9,
    health_components: { engagement: 0.5, adoption: 0.2, headroom: 1, recency: 1 },
    cost_to_date_usd: "3499.00",
    projected_monthly_cost_usd: "3499.00",
    alert_level: "none",
    flagged: false,
    onboarding: null,
    last_event_at: "2026-12-02T06:54:06Z",
    ...over,
  };
}
