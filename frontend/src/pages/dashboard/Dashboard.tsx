import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import type { Schema } from "../../api/client";
import { usePlans } from "../../api/plans";
import { ErrorNotice, Loading, type TokenNeeds } from "../../components/ErrorNotice";
import { TokenGate } from "../../components/TokenGate";
import { UsageBar } from "../../components/UsageBar";
import { currentPeriod, formatCount, formatDateTime, formatNumber, formatUsd, recentPeriods } from "../../lib/format";
import { useSessionToken } from "../../lib/token";
import { usePageTitle } from "../../lib/title";
import { fetchTenantPage, flagReasons, type SortDir, type SortKey, type TenantQuery } from "./data";

export const DASHBOARD_TOKEN_KEY = "docket.dashboard.token";
export const BILLING_NEEDS: TokenNeeds = { audience: "docket-billing", roles: ["CustomerSuccessManager"], scopes: ["billing:read"] };
export const BILLING_HINT = "docket token --aud docket-billing --role CustomerSuccessManager --scope billing:read";
const PAGE_SIZE = 50;

/** The customer health dashboard: summary tiles and the tenant table. */
export function Dashboard() {
  usePageTitle("Customer health");
  const [token, setToken, clear] = useSessionToken(DASHBOARD_TOKEN_KEY);
  return (
    <>
      <h1>Customer health</h1>
      <TokenGate token={token} onToken={setToken} onSignOut={clear} needs={BILLING_NEEDS} hint={BILLING_HINT}>
        {token ? <TenantTable token={token} /> : null}
      </TokenGate>
    </>
  );
}

const COLUMNS: { key: SortKey | null; label: string }[] = [
  { key: "tenant", label: "Tenant" },
  { key: "health", label: "Health" },
  { key: "usage_ratio", label: "Usage ratio" },
  { key: null, label: "Cost to date" },
  { key: "projected_cost", label: "Projected cost" },
  { key: null, label: "Alert" },
  { key: "last_activity", label: "Last activity" },
];

function TenantTable({ token }: { token: string }) {
  const [params, setParams] = useSearchParams();
  const plans = usePlans();
  const q: TenantQuery = {
    period: params.get("period") ?? undefined,
    sort: (params.get("sort") as SortKey) || "health",
    dir: (params.get("dir") as SortDir) || "asc",
    flagged: params.get("flagged") === "1",
    plan: (params.get("plan") as TenantQuery["plan"]) || "",
    alert_level: (params.get("alert_level") as TenantQuery["alert_level"]) || "",
    q: params.get("q") ?? "",
    limit: PAGE_SIZE,
  };
  // Cursors of the pages before this one, for "Previous".
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ["tenants", token, q, cursor],
    queryFn: () => fetchTenantPage(token, { ...q, cursor }),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const set = (k: string, v: string) => {
    setCursors([null]);
    setParams(
      (p) => {
        if (v) p.set(k, v);
        else p.delete(k);
        return p;
      },
      { replace: true },
    );
  };
  const sortBy = (key: SortKey) => {
    const dir = q.sort === key && q.dir === "asc" ? "desc" : "asc";
    setCursors([null]);
    setParams((p) => {
      p.set("sort", key);
      p.set("dir", dir);
      return p;
    });
  };
  const period = q.period ?? currentPeriod();
  const s = page.data?.summary;
  return (
    <>
      <div className="toolbar" role="search" aria-label="Filter tenants">
        <div className="field-inline">
          <label htmlFor="period">Period</label>
          <select id="period" value={period} onChange={(e) => set("period", e.target.value === currentPeriod() ? "" : e.target.value)}>
            {recentPeriods(12).map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="field-inline">
          <label htmlFor="search">Search by name</label>
          <input id="search" type="search" value={q.q} onChange={(e) => set("q", e.target.value)} />
        </div>
        <div className="field-inline">
          <label htmlFor="plan">Plan</label>
          <select id="plan" value={q.plan} onChange={(e) => set("plan", e.target.value)}>
            <option value="">All plans</option>
            {(plans.data?.plans ?? []).map((p) => (
              <option key={p.plan_id} value={p.plan_id}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field-inline">
          <label htmlFor="alert">Alert level</label>
          <select id="alert" value={q.alert_level} onChange={(e) => set("alert_level", e.target.value)}>
            <option value="">Any</option>
            <option value="none">None</option>
            <option value="soft">Soft (80 %)</option>
            <option value="hard">Hard (95 %)</option>
          </select>
        </div>
        <div className="field-inline checkbox">
          <input id="flagged" type="checkbox" checked={q.flagged} onChange={(e) => set("flagged", e.target.checked ? "1" : "")} />
          <label htmlFor="flagged">Flagged only</label>
        </div>
      </div>

      {page.isError ? <ErrorNotice error={page.error} needs={BILLING_NEEDS} onRetry={() => page.refetch()} /> : null}
      {page.isPending ? <Loading what="tenants" /> : null}

      {s ? (
        <ul className="tiles" aria-label="Summary">
          <li className="tile">
            <span className="tile-label">Tenants</span>
            <span className="tile-value" data-testid="tile-tenants">{formatCount(s.tenants)}</span>
          </li>
          <li className="tile">
            <span className="tile-label">Flagged</span>
            <span className="tile-value" data-testid="tile-flagged">{formatCount(s.flagged)}</span>
          </li>
          <li className="tile">
            <span className="tile-label">Monthly recurring revenue</span>
            <span className="tile-value" data-testid="tile-mrr">{formatUsd(s.monthly_recurring_revenue_usd)}</span>
          </li>
          <li className="tile">
            <span className="tile-label">Projected overage</span>
            <span className="tile-value" data-testid="tile-overage">{formatUsd(s.projected_overage_usd)}</span>
          </li>
        </ul>
      ) : null}

      {page.data ? (
        <>
          <div className="table-wrap">
            <table className="tenants">
              <caption>
                Tenants in {page.data.period}: {formatCount(page.data.matching)} matching
              </caption>
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th
                      key={c.label}
                      scope="col"
                      aria-sort={c.key && q.sort === c.key ? (q.dir === "asc" ? "ascending" : "descending") : undefined}
                    >
                      {c.key ? (
                        <button type="button" className="sort" onClick={() => sortBy(c.key!)}>
                          {c.label}
                          <span aria-hidden="true">{q.sort === c.key ? (q.dir === "asc" ? " ▲" : " ▼") : ""}</span>
                        </button>
                      ) : (
                        c.label
                      )}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {page.data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={COLUMNS.length}>No tenant matches these filters.</td>
                  </tr>
                ) : null}
                {page.data.rows.map((t) => (
                  <TenantRow key={t.tenant_id} t={t} period={q.period} thresholds={plans.data?.alert_thresholds} />
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <button type="button" className="secondary" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous page
            </button>
            <span>Page {cursors.length}</span>
            <button
              type="button"
              className="secondary"
              disabled={!page.data.next_cursor}
              onClick={() => setCursors((c) => [...c, page.data!.next_cursor])}
            >
              Next page
            </button>
            <span className="hint">Updated {formatDateTime(page.data.generated_at)}</span>
          </div>
        </>
      ) : null}
    </>
  );
}

function TenantRow({ t, period, thresholds }: { t: Schema<"TenantSnapshot">; period?: string; thresholds?: Schema<"AlertThresholds"> }) {
  const reasons = flagReasons(t);
  const href = `/dashboard/tenants/${encodeURIComponent(t.tenant_id)}${period ? `?period=${period}` : ""}`;
  return (
    <tr className={t.flagged ? "flagged" : undefined} data-testid={`tenant-${t.tenant_id}`}>
      <th scope="row">
        <Link to={href}>{t.organization}</Link>
        <span className="sub">{t.tenant_id} · {t.plan_id}</span>
        {t.flagged ? (
          <span className="flag">
            <span aria-hidden="true">⚑ </span>Flagged: {reasons.join("; ")}
          </span>
        ) : null}
      </th>
      <td>{formatNumber(t.health_score)}</td>
      <td>
        <UsageBar ratio={t.usage_ratio} soft={thresholds?.soft} hard={thresholds?.hard} label={`Usage ratio of ${t.organization}`} />
      </td>
      <td>{formatUsd(t.cost_to_date_usd)}</td>
      <td>{formatUsd(t.projected_monthly_cost_usd)}</td>
      <td>
        <span className={`alert-level alert-${t.alert_level}`}>{t.alert_level}</span>
      </td>
      <td>{formatDateTime(t.last_event_at)}</td>
    </tr>
  );
}
