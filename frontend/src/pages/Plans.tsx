import { usePlans } from "../api/plans";
import { ErrorNotice, Loading } from "../components/ErrorNotice";
import { formatCount, formatPercent, formatRate, formatUsdWhole } from "../lib/format";
import { usePageTitle } from "../lib/title";

/** The plan catalogue from `GET /billing/plans`. */
export function Plans() {
  usePageTitle("Plans");
  const plans = usePlans();
  return (
    <>
      <h1>Plans</h1>
      {plans.isPending ? <Loading what="the plans" /> : null}
      {plans.isError ? <ErrorNotice error={plans.error} onRetry={() => plans.refetch()} /> : null}
      {plans.data ? (
        <>
          <ul className="cards plan-cards">
            {plans.data.plans.map((p) => (
              <li key={p.plan_id} className="card plan-card">
                <h2>{p.label}</h2>
                <p className="price">
                  {formatUsdWhole(p.monthly_price_usd)} <span>/ month</span>
                </p>
                <dl>
                  <dt>Included queries</dt>
                  <dd>{formatCount(p.included_queries)} / month</dd>
                  <dt>Included ingest</dt>
                  <dd>{formatCount(p.included_ingest_gb)} GB / month</dd>
                  <dt>Seats</dt>
                  <dd>{formatCount(p.included_seats)}</dd>
                  <dt>Support</dt>
                  <dd>
                    {p.support_tier_label}: {p.support_channels.join(", ")}
                  </dd>
                  <dt>Response SLA</dt>
                  <dd>{p.support_sla_hours} h</dd>
                  <dt>Overage per query</dt>
                  <dd>{formatRate(p.overage_per_query_usd)}</dd>
                  <dt>Overage per GB</dt>
                  <dd>{formatRate(p.overage_per_gb_usd)}</dd>
                </dl>
              </li>
            ))}
          </ul>
          <p>
            Alerts: a soft alert at {formatPercent(plans.data.alert_thresholds.soft)} and a hard alert at{" "}
            {formatPercent(plans.data.alert_thresholds.hard)} of any quota (queries, ingest GB, seats). A GB is 10<sup>9</sup>{" "}
            bytes of accepted document content; the billing period is the calendar month (UTC).
          </p>
        </>
      ) : null}
    </>
  );
}
