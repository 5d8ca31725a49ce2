import type { Schema } from "../src/api/client";

export const catalogue: Schema<"Catalogue"> = {
  alert_thresholds: { soft: 0.8, hard: 0.95 },
  plans: [
    { plan_id: "community", label: "Community", monthly_price_usd: 0, included_queries: 500, included_ingest_gb: 5, included_seats: 5, support_tier: "community", support_tier_label: "Community", support_sla_hours: 48, support_channels: ["async email", "forum"], support_contact_path: "async email / forum", overage_per_query_usd: 0.02, overage_per_gb_usd: 3 },
    { plan_id: "professional", label: "Professional", monthly_price_usd: 3499, included_queries: 5000, included_ingest_gb: 60, included_seats: 25, support_tier: "standard", support_tier_label: "Standard", support_sla_hours: 12, support_channels: ["Zendesk queue", "scheduled reviews"], support_contact_path: "Zendesk queue + scheduled reviews", overage_per_query_usd: 0.015, overage_per_gb_usd: 2.4 },
    { plan_id: "enterprise", label: "Enterprise", monthly_price_usd: 8999, included_queries: 20000, included_ingest_gb: 250, included_seats: 100, support_tier: "premium", support_tier_label: "Premium", support_sla_hours: 2, support_channels: ["24x7 hotline", "Slack Connect"], support_contact_path: "24x7 hotline + Slack Connect", overage_per_query_usd: 0.01, overage_per_gb_usd: 1.6 },
  ],
};

/** The same catalogue with money as exact decimal strings, as the server will send it. */
export const catalogueAsStrings = JSON.parse(
  JSON.stringify(catalogue, (k, v) => (/_usd$/.test(k) && typeof v === "number" ? v.toFixed(k.startsWith("overage") ? 3 : 2) : v)),
) as Schema<"Catalogue">;

export function snapshot(over: Partial<Schema<"TenantSnapshot">>): Schema<"TenantSnapshot"> {
  return {
    tenant_id: "acme",
    organization: "Acme LLP",
    period: "2026-12",
    plan_id: "professional",
    support_tier: "standard",
    support_sla_hours: 12,
    query_count: 100,
    ingest_bytes: 1_000_000_000,
    ingest_gb: 1,
    timeline_requests: 3,
    agent_runs: 0,
    active_seats: 5,
    usage_ratio: 0.2,
    consumption: { queries: 0.02, ingest_gb: 0.0167, seats: 0.2 },
    health_score: 0.9,
    health_components: { engagement: 0.5, adoption: 0.2, headroom: 1, recency: 1 },
    cost_to_date_usd: 3499,
    projected_monthly_cost_usd: 3499,
    alert_level: "none",
    flagged: false,
    onboarding: null,
    last_event_at: "2026-12-02T06:54:06Z",
    ...over,
  };
}
