import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Schema } from "../../api/client";
import { formatCount, formatGb, formatNumber, formatUsd, formatUsdWhole, money } from "../../lib/format";

type PlanId = Schema<"PlanId">;

/**
 * The recommendation, every plan compared, and the ROI projection, as the onboarding page
 * shows them. The catalogue adds quotas and SLA to the comparison when it has loaded.
 */
export function RecommendationView({
  evaluation,
  catalogue,
  selectedPlan,
  onSelect,
}: {
  evaluation: Schema<"Evaluation">;
  catalogue?: Schema<"Catalogue">;
  selectedPlan?: PlanId | "";
  onSelect?: (plan: PlanId | "") => void;
}) {
  const rec = evaluation.recommendation;
  const recommended = rec.comparison.find((p) => p.plan_id === rec.recommended_plan);
  const planView = (id: PlanId) => catalogue?.plans.find((p) => p.plan_id === id);
  return (
    <div className="recommendation">
      <div className="recommended" data-testid="recommended">
        {recommended ? (
          <p>
            Recommended plan: <strong>{recommended.label}</strong>
          </p>
        ) : (
          <p>
            <strong>No plan fits these needs.</strong>
          </p>
        )}
        <p className="reason">{rec.reason}</p>
        <p>
          Projected use: {formatCount(rec.projected_monthly_queries)} queries and {formatGb(rec.projected_monthly_ingest_gb)} of ingest a
          month.
        </p>
      </div>

      <h3 id="comparison-title">Every plan compared</h3>
      <ul className="comparison" aria-labelledby="comparison-title">
        {rec.comparison.map((p) => {
          const view = planView(p.plan_id);
          return (
            <li key={p.plan_id} data-testid={`plan-${p.plan_id}`} className={`plan-option${p.recommended ? " is-recommended" : ""}${p.eligible ? "" : " is-ineligible"}`}>
              <h4>
                {p.label}
                {p.recommended ? <span className="badge">recommended</span> : null}
              </h4>
              <dl>
                <dt>Price</dt>
                <dd>{formatUsdWhole(p.monthly_price_usd)} / month</dd>
                <dt>Projected cost</dt>
                <dd data-testid={`cost-${p.plan_id}`}>{formatUsd(p.projected_monthly_cost_usd)} / month</dd>
                <dt>Quotas</dt>
                <dd>
                  {view
                    ? `${formatCount(view.included_queries)} queries, ${formatCount(view.included_ingest_gb)} GB, ${formatCount(view.included_seats)} seats`
                    : "—"}
                </dd>
                <dt>Support SLA</dt>
                <dd>{view ? `${view.support_sla_hours} h` : "—"}</dd>
                <dt>Eligible</dt>
                <dd data-testid={`eligible-${p.plan_id}`}>{p.eligible ? "Yes" : "No"}</dd>
              </dl>
              <ul className="reasons" aria-label={`Why ${p.label}`}>
                {p.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
              {onSelect ? (
                <label className="choose">
                  <input
                    type="radio"
                    name="choose-plan"
                    value={p.plan_id}
                    checked={selectedPlan ? selectedPlan === p.plan_id : p.recommended}
                    onChange={() => onSelect(p.recommended ? "" : p.plan_id)}
                  />{" "}
                  Choose {p.label}
                </label>
              ) : null}
            </li>
          );
        })}
      </ul>

      {evaluation.roi ? <RoiView roi={evaluation.roi} label={rec.comparison.find((p) => p.plan_id === evaluation.roi?.plan_id)?.label} /> : null}
    </div>
  );
}

/** The ROI projection: figures and a twelve-month chart of cumulative value against cost. */
export function RoiView({ roi, label }: { roi: Schema<"Roi">; label?: string }) {
  const value = money(roi.monthly_value_usd);
  const cost = money(roi.plan_monthly_cost_usd);
  const data = Array.from({ length: 12 }, (_, i) => ({
    month: i + 1,
    value: Math.round(value * (i + 1) * 100) / 100,
    cost: Math.round(cost * (i + 1) * 100) / 100,
  }));
  return (
    <section className="roi" aria-labelledby="roi-title">
      <h3 id="roi-title">
        ROI projection on {label ?? roi.plan_id} ({roi.basis === "selected" ? "your choice" : "recommended"})
      </h3>
      <dl className="figures" data-testid="roi">
        <div>
          <dt>Hours saved / month</dt>
          <dd data-testid="roi-hours">{formatNumber(roi.monthly_hours_saved)}</dd>
        </div>
        <div>
          <dt>Value / month</dt>
          <dd data-testid="roi-monthly">{formatUsd(roi.monthly_value_usd)}</dd>
        </div>
        <div>
          <dt>Value / year</dt>
          <dd data-testid="roi-annual">{formatUsd(roi.annual_value_usd)}</dd>
        </div>
        <div>
          <dt>Plan cost / month</dt>
          <dd data-testid="roi-cost">{formatUsd(roi.plan_monthly_cost_usd)}</dd>
        </div>
        <div>
          <dt>Net value / month</dt>
          <dd data-testid="roi-net">{formatUsd(roi.net_monthly_value_usd)}</dd>
        </div>
        <div>
          <dt>Payback</dt>
          <dd data-testid="roi-payback">{roi.payback_days == null ? "never at this value" : `${formatNumber(roi.payback_days)} days`}</dd>
        </div>
        <div>
          <dt>ROI multiple</dt>
          <dd data-testid="roi-multiple">{roi.roi_multiple == null ? "— (free plan)" : `${formatNumber(roi.roi_multiple)}×`}</dd>
        </div>
      </dl>
      <figure className="chart">
        <figcaption>Cumulative value against plan cost over the first twelve months</figcaption>
        <div className="chart-box" aria-hidden="true">
          <ResponsiveContainer width="100%" height={240}>
            <LineChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" label={{ value: "month", position: "insideBottomRight", offset: -4 }} />
              <YAxis tickFormatter={(v: number) => formatUsdWhole(v)} width={90} />
              <Tooltip formatter={(v) => formatUsd(Number(v))} labelFormatter={(m) => `Month ${m}`} />
              <Legend />
              <Line type="monotone" dataKey="value" name="Value" stroke="#1d6b3a" strokeWidth={2} dot={false} />
              <Line type="monotone" dataKey="cost" name="Plan cost" stroke="#a4262c" strokeWidth={2} dot={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </figure>
    </section>
  );
}
