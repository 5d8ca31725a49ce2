import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Schema } from "../api/client";
import { formatCount } from "../lib/format";

/** Daily usage of a period: queries, ingest, timeline requests and agent runs. */
export function DailyChart({ days, caption }: { days: Schema<"DailyUsage">[]; caption: string }) {
  const data = days.map((d) => ({
    day: d.day.slice(8),
    queries: d.queries,
    timeline: d.timeline_requests,
    agents: d.agent_runs,
    ingest_mb: Math.round((d.ingest_bytes / 1e6) * 100) / 100,
  }));
  const totals = days.reduce(
    (a, d) => ({ q: a.q + d.queries, t: a.t + d.timeline_requests, g: a.g + d.agent_runs, b: a.b + d.ingest_bytes }),
    { q: 0, t: 0, g: 0, b: 0 },
  );
  return (
    <figure className="chart">
      <figcaption>
        {caption}: {formatCount(totals.q)} queries, {formatCount(totals.t)} timeline requests, {formatCount(totals.g)} agent runs,{" "}
        {formatCount(totals.b / 1e6)} MB ingested
      </figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height={260}>
          <BarChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            <Bar dataKey="queries" name="Queries" stackId="a" fill="#1f5fa8" />
            <Bar dataKey="timeline" name="Timeline" stackId="a" fill="#7a4fb0" />
            <Bar dataKey="agents" name="Agent runs" stackId="a" fill="#b5651d" />
            <Bar dataKey="ingest_mb" name="Ingest (MB)" fill="#2d7d46" />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
