import type { Schema } from "../api/client";
import { formatCount, formatGb, formatNumber } from "../lib/format";
import { UsageBar } from "./UsageBar";

/** Consumption per quota dimension, against the plan's quota. */
export function Consumption({ snapshot, catalogue }: { snapshot: Schema<"TenantSnapshot">; catalogue?: Schema<"Catalogue"> }) {
  const plan = catalogue?.plans.find((p) => p.plan_id === snapshot.plan_id);
  const t = catalogue?.alert_thresholds;
  const rows = [
    { name: "Queries", ratio: snapshot.consumption.queries, used: formatCount(snapshot.queries), quota: plan ? formatCount(plan.included_queries) : "—" },
    { name: "Ingest", ratio: snapshot.consumption.ingest_gb, used: formatGb(snapshot.ingest_gb), quota: plan ? `${formatCount(plan.included_ingest_gb)} GB` : "—" },
    { name: "Seats", ratio: snapshot.consumption.seats, used: formatCount(snapshot.active_seats), quota: plan ? formatCount(plan.included_seats) : "—" },
  ];
  return (
    <div className="table-wrap">
      <table>
        <caption>Consumption against the {plan?.label ?? snapshot.plan_id} quotas</caption>
        <thead>
          <tr>
            <th scope="col">Dimension</th>
            <th scope="col">Used</th>
            <th scope="col">Included</th>
            <th scope="col">Share of quota</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name}>
              <th scope="row">{r.name}</th>
              <td>{r.used}</td>
              <td>{r.quota}</td>
              <td>
                <UsageBar ratio={r.ratio} soft={t?.soft} hard={t?.hard} label={`${r.name} share of quota`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        Usage ratio (the largest share): {formatNumber(snapshot.usage_ratio * 100)} %.
      </p>
    </div>
  );
}
