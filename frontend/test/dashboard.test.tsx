import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AppAt } from "../src/App";
import { sortParam } from "../src/pages/dashboard/data";
import { catalogue, snapshot } from "./fixtures";
import { apiError, json, stubNetwork, stubOffline, type Seen } from "./net";

const tenants = [
  snapshot({ tenant_id: "acme", organization: "Acme LLP", health_score: 0.9, usage_ratio: 0.2 }),
  snapshot({ tenant_id: "busy", organization: "Busy & Co", health_score: 0.8, usage_ratio: 0.97, flagged: true, alert_level: "hard", projected_monthly_cost_usd: "3600.50" }),
  snapshot({ tenant_id: "quiet", organization: "Quiet Partners", plan_id: "community", health_score: 0.4, usage_ratio: 0.1, flagged: true, cost_to_date_usd: "0.00", projected_monthly_cost_usd: "0.00" }),
];
const summary = { tenants: 3, flagged: 2, monthly_recurring_revenue_usd: "6998.00", projected_overage_usd: "101.50" };
const report = { generated_at: "2026-12-02T07:00:00Z", period: "2026-12", sort: "tenant", tenants, alerts: [], matching: 3, summary, next_cursor: null };

/** The server's side of `GET /billing/usage`, small: it filters and sorts the three tenants. */
function usage(r: Seen) {
  const p = r.search;
  const sort = p.get("sort") ?? "tenant";
  const key = sort.replace(/^-/, "");
  const field = { health: "health_score", usage_ratio: "usage_ratio", organization: "organization" }[key] as "health_score" | "usage_ratio" | "organization";
  const q = (p.get("q") ?? "").toLowerCase();
  const rows = tenants
    .filter((t) => (p.get("flagged") ? String(t.flagged) === p.get("flagged") : true))
    .filter((t) => (p.get("plan") ? t.plan_id === p.get("plan") : true))
    .filter((t) => !q || t.organization.toLowerCase().includes(q))
    .sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0) * (sort.startsWith("-") ? -1 : 1));
  return json(200, { ...report, sort, tenants: rows, matching: rows.length, summary: { ...summary, tenants: rows.length } });
}
const TOKEN = "aaa.eyJzdWIiOiJjc20ifQ.sig";

async function signIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("Bearer token"), TOKEN);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("customer health dashboard", () => {
  it("keeps the token in sessionStorage only and sends it as a bearer header", async () => {
    const seen = stubNetwork({ "GET /billing/plans": () => json(200, catalogue), "GET /billing/usage": usage });
    const user = userEvent.setup();
    render(<AppAt path="/dashboard" />);
    await signIn(user);
    await screen.findByTestId("tile-tenants");
    expect(sessionStorage.getItem("docket.dashboard.token")).toBe(TOKEN);
    expect(localStorage.length).toBe(0);
    const call = seen.find((s) => s.path === "/billing/usage")!;
    expect(call.headers.get("Authorization")).toBe(`Bearer ${TOKEN}`);
    expect([...call.search.keys()]).not.toContain("token");
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(sessionStorage.getItem("docket.dashboard.token")).toBeNull();
    expect(screen.getByLabelText("Bearer token")).toBeInTheDocument();
  });

  it("shows the server's summary tiles, flagged rows saying why, and asks the server to sort, filter and page", async () => {
    const seen = stubNetwork({ "GET /billing/plans": () => json(200, catalogue), "GET /billing/usage": usage });
    sessionStorage.setItem("docket.dashboard.token", TOKEN);
    const user = userEvent.setup();
    render(<AppAt path="/dashboard" />);
    expect(await screen.findByTestId("tile-tenants")).toHaveTextContent("3");
    expect(screen.getByTestId("tile-flagged")).toHaveTextContent("2");
    await waitFor(() => expect(screen.getByTestId("tile-mrr")).toHaveTextContent("$6,998.00"));
    expect(screen.getByTestId("tile-overage")).toHaveTextContent("$101.50");
    expect(screen.getByTestId("tenant-busy")).toHaveTextContent("usage ratio 97 % is above 95 %");
    expect(screen.getByTestId("tenant-quiet")).toHaveTextContent("health 0.40 is below 0.75");
    expect(screen.getByTestId("tenant-acme")).not.toHaveTextContent("Flagged");
    expect(within(screen.getByTestId("tenant-busy")).getByRole("meter")).toHaveAttribute("aria-valuenow", "97");

    const names = () => screen.getAllByRole("row").slice(1).map((r) => r.getAttribute("data-testid"));
    expect(names()).toEqual(["tenant-quiet", "tenant-busy", "tenant-acme"]); // health ascending
    await user.click(screen.getByRole("button", { name: /Usage ratio/ }));
    expect(names()).toEqual(["tenant-quiet", "tenant-acme", "tenant-busy"]);
    await user.click(screen.getByRole("button", { name: /Usage ratio/ }));
    expect(names()[0]).toBe("tenant-busy");
    const last = () => seen.filter((c) => c.path === "/billing/usage").at(-1)!.search;
    expect(last().get("sort")).toBe("-usage_ratio");
    expect(last().get("limit")).toBe("50");

    await user.click(screen.getByLabelText("Flagged only"));
    await waitFor(() => expect(names()).not.toContain("tenant-acme"));
    expect(last().get("flagged")).toBe("true");
    await user.selectOptions(screen.getByLabelText("Plan"), "community");
    await waitFor(() => expect(names()).toEqual(["tenant-quiet"]));
    expect(last().get("plan")).toBe("community");
    await waitFor(() => expect(screen.getByTestId("tile-tenants")).toHaveTextContent("1"));
    await user.selectOptions(screen.getByLabelText("Plan"), "");
    await user.click(screen.getByLabelText("Flagged only"));
    await user.type(screen.getByLabelText("Search by name"), "acme");
    await waitFor(() => expect(names()).toEqual(["tenant-acme"]));
    expect(last().get("q")).toBe("acme");
    expect(new URLSearchParams(window.location.search).get("token")).toBeNull();
  });

  it("says a 401 means a fresh token is needed", async () => {
    stubNetwork({
      "GET /billing/plans": () => json(200, catalogue),
      "GET /billing/usage": () => apiError(401, "unauthorized", "authentication required: token expired"),
    });
    sessionStorage.setItem("docket.dashboard.token", TOKEN);
    render(<AppAt path="/dashboard" />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The token was not accepted (401)");
    expect(alert).toHaveTextContent("token expired");
    expect(alert).toHaveTextContent("role CustomerSuccessManager");
  });

  it("says what a 403 token lacks", async () => {
    stubNetwork({
      "GET /billing/plans": () => json(200, catalogue),
      "GET /billing/usage": () => apiError(403, "forbidden", "token audience must include 'docket-billing'"),
    });
    sessionStorage.setItem("docket.dashboard.token", TOKEN);
    render(<AppAt path="/dashboard" />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This token lacks a permission (403)");
    expect(alert).toHaveTextContent("token audience must include 'docket-billing'");
    expect(alert).toHaveTextContent("scope billing:read and audience docket-billing");
  });

  it("says the server is unreachable when the network fails", async () => {
    stubOffline();
    sessionStorage.setItem("docket.dashboard.token", TOKEN);
    render(<AppAt path="/dashboard" />);
    expect(await screen.findByText("The Docket server could not be reached")).toBeInTheDocument();
  });

  it("shows a tenant's page: daily usage, consumption, health, intake and alerts, for a picked period", async () => {
    const intake = { organization: "Busy & Co", departments: ["Litigation"], seats: 12 };
    const seen = stubNetwork({
      "GET /billing/plans": () => json(200, catalogue),
      "GET /billing/usage": (r) =>
        json(200, {
          ...report,
          period: r.search.get("period") ?? "2026-12",
          tenants: [{ ...tenants[1], onboarding: intake }],
          alerts: [{ tenant_id: "busy", period: "2026-12", dimension: "queries", level: "hard", consumption: 0.97, triggered_at: "2026-12-01T10:00:00Z" }],
        }),
      "GET /billing/usage/busy/daily": () =>
        json(200, { tenant_id: "busy", period: "2026-12", days: [{ day: "2026-12-01", queries: 40, ingest_bytes: 2e6, timeline_requests: 2, agent_runs: 1, signups: 0 }] }),
    });
    sessionStorage.setItem("docket.dashboard.token", TOKEN);
    const user = userEvent.setup();
    render(<AppAt path="/dashboard/tenants/busy?period=2026-12" />);
    expect(await screen.findByRole("heading", { level: 1, name: "Busy & Co" })).toBeInTheDocument();
    expect(await screen.findByText(/Daily usage in 2026-12: 40 queries, 2 timeline requests, 1 agent runs, 2 MB ingested/)).toBeInTheDocument();
    expect(screen.getByText(/Flagged for triage/)).toBeInTheDocument();
    expect(screen.getByRole("meter", { name: "Queries share of quota" })).toBeInTheDocument();
    expect(screen.getByText("Litigation")).toBeInTheDocument();
    expect(screen.getByText("queries", { selector: "td" })).toBeInTheDocument();
    expect(screen.getByText("engagement")).toBeInTheDocument();
    const past = (await screen.findByLabelText("Period")).querySelectorAll("option")[1].getAttribute("value")!;
    await user.selectOptions(screen.getByLabelText("Period"), past);
    await waitFor(() => expect(seen.some((s) => s.path === "/billing/usage/busy/daily" && s.search.get("period") === past)).toBe(true));
  });
});

describe("sort parameter", () => {
  it("names the server's column, descending with a leading '-'", () => {
    expect(sortParam("health", "asc")).toBe("health");
    expect(sortParam("projected_cost", "desc")).toBe("-projected_cost");
    expect(sortParam("tenant", "asc")).toBe("organization");
  });
});
