import { useQuery } from "@tanstack/react-query";
import { Link, useParams, useSearchParams } from "react-router";
import { usePlans } from "../../api/plans";
import { Consumption } from "../../components/Consumption";
import { DailyChart } from "../../components/DailyChart";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { TokenGate } from "../../components/TokenGate";
import { currentPeriod, formatDateTime, formatNumber, formatPercent, formatUsd, recentPeriods } from "../../lib/format";
import { useSessionToken } from "../../lib/token";
import { usePageTitle } from "../../lib/title";
import { BILLING_HINT, BILLING_NEEDS, DASHBOARD_TOKEN_KEY } from "./Dashboard";
import { fetchDaily, fetchTenant, flagReasons } from "./data";

/** One tenant: daily usage, consumption, health components, intake and alerts, per period. */
export function TenantDetail() {
  const { tenantId = "" } = useParams();
  usePageTitle(`Tenant ${tenantId}`);
  const [token, setToken, clear] = useSessionToken(DASHBOARD_TOKEN_KEY);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/dashboard">Customer health</Link> / {tenantId}
      </p>
      {!token ? <h1>Tenant {tenantId}</h1> : null}
      <TokenGate token={token} onToken={setToken} onSignOut={clear} needs={BILLING_NEEDS} hint={BILLING_HINT}>
        {token ? <TenantBody token={token} tenantId={tenantId} /> : null}
      </TokenGate>
    </>
  );
}

function TenantBody({ token, tenantId }: { token: string; tenantId: string }) {
  const [params, setParams] = useSearchParams();
  const period = params.get("period") ?? currentPeriod();
  const plans = usePlans();
  const tenant = useQuery({ queryKey: ["tenant", token, tenantId, period], queryFn: () => fetchTenant(token, tenantId, period), retry: false });
  const daily = useQuery({ queryKey: ["daily", token, tenantId, period], queryFn: () => fetchDaily(token, tenantId, period), retry: false });
  const snap = tenant.data?.snapshot;
  return (
    <>
      <h1>{snap?.organization ?? `Tenant ${tenantId}`}</h1>
      <div className="toolbar">
        <div className="field-inline">
          <label htmlFor="period">Period</label>
          <select id="period" value={period} onChange={(e) => setParams({ period: e.target.value })}>
            {recentPeriods(12).map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
      </div>
      {tenant.isPending ? <Loading what="the tenant" /> : null}
      {tenant.isError ? <ErrorNotice error={tenant.error} needs={BILLING_NEEDS} onRetry={() => tenant.refetch()} /> : null}
      {tenant.data && !snap ? (
        <div className="notice" role="alert">
          <p className="notice-title">No tenant {tenantId} in {period}</p>
          <p>
            Check the id, or pick another period. <Link to="/dashboard">Back to all tenants</Link>.
          </p>
        </div>
      ) : null}
      {snap ? (
        <>
          {snap.flagged ? (
            <p className="notice notice-warn">
              <strong>Flagged for triage:</strong> {flagReasons(snap).join("; ")}.
            </p>
          ) : null}
          <ul className="tiles" aria-label="Standing">
            <li className="tile"><span className="tile-label">Plan</span><span className="tile-value">{snap.plan_id}</span></li>
            <li className="tile"><span className="tile-label">Health</span><span className="tile-value">{formatNumber(snap.health_score)}</span></li>
            <li className="tile"><span className="tile-label">Cost to date</span><span className="tile-value">{formatUsd(snap.cost_to_date_usd)}</span></li>
            <li className="tile"><span className="tile-label">Projected cost</span><span className="tile-value">{formatUsd(snap.projected_monthly_cost_usd)}</span></li>
          </ul>
          <section aria-labelledby="usage-h">
            <h2 id="usage-h">Daily usage</h2>
            {daily.isError ? <ErrorNotice error={daily.error} needs={BILLING_NEEDS} onRetry={() => daily.refetch()} /> : null}
            {daily.data ? <DailyChart days={daily.data.days} caption={`Daily usage in ${daily.data.period}`} /> : null}
          </section>
          <section aria-labelledby="cons-h">
            <h2 id="cons-h">Consumption</h2>
            <Consumption snapshot={snap} catalogue={plans.data} />
          </section>
          <section aria-labelledby="health-h">
            <h2 id="health-h">Health components</h2>
            <dl className="figures">
              {Object.entries(snap.health_components).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{formatPercent(v)}</dd>
                </div>
              ))}
            </dl>
            <p className="hint">Last activity: {formatDateTime(snap.last_event_at)}. Support: {snap.support_tier}, {snap.support_sla_hours} h response.</p>
          </section>
          <section aria-labelledby="intake-h">
            <h2 id="intake-h">Onboarding intake</h2>
            {snap.onboarding ? (
              <dl className="review">
                {Object.entries(snap.onboarding as Record<string, unknown>).map(([k, v]) => (
                  <div key={k}>
                    <dt>{k.replace(/_/g, " ")}</dt>
                    <dd>{Array.isArray(v) ? v.join(", ") : v == null ? "—" : String(v)}</dd>
                  </div>
                ))}
              </dl>
            ) : (
              <p>This tenant did not come through the onboarding intake.</p>
            )}
          </section>
          <section aria-labelledby="alerts-h">
            <h2 id="alerts-h">Alerts</h2>
            {tenant.data!.alerts.length === 0 ? (
              <p>No quota alert in {period}.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Dimension</th>
                      <th scope="col">Level</th>
                      <th scope="col">Consumption</th>
                    </tr>
                  </thead>
                  <tbody>
                    {tenant.data!.alerts.map((a) => (
                      <tr key={`${a.dimension}-${a.level}-${a.triggered_at}`}>
                        <td>{formatDateTime(a.triggered_at)}</td>
                        <td>{a.dimension}</td>
                        <td><span className={`alert-level alert-${a.level}`}>{a.level}</span></td>
                        <td>{formatPercent(a.consumption)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}
