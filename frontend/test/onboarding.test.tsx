import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AppAt } from "../src/App";
import { apiError, json, stubNetwork, stubOffline } from "./net";
import type { Schema } from "../src/api/client";
import { catalogue } from "./fixtures";

const evaluation: Schema<"Evaluation"> = {
  recommendation: {
    recommended_plan: "professional",
    reason: "Twelve seats rule Community out",
    projected_monthly_queries: 800,
    projected_monthly_ingest_gb: 40,
    comparison: [
      { plan_id: "community", label: "Community", monthly_price_usd: "0.00", projected_monthly_cost_usd: "111.00", eligible: false, recommended: false, reasons: ["12 seats exceed the 5 included"] },
      { plan_id: "professional", label: "Professional", monthly_price_usd: "3499.00", projected_monthly_cost_usd: "3499.00", eligible: true, recommended: true, reasons: ["fits"] },
      { plan_id: "enterprise", label: "Enterprise", monthly_price_usd: "8999.00", projected_monthly_cost_usd: "8999.00", eligible: true, recommended: false, reasons: ["fits"] },
    ],
  },
  roi: { plan_id: "professional", basis: "recommended", monthly_hours_saved: 80, monthly_value_usd: "24000.00", annual_value_usd: "288000.00", plan_monthly_cost_usd: "3499.00", net_monthly_value_usd: "20501.00", payback_days: 4.37, roi_multiple: 6.86 },
};

async function fillSizing(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText("Seats"), "12");
  await user.type(screen.getByLabelText("Matters per month"), "20");
  await user.type(screen.getByLabelText("Baseline hours per matter"), "10");
  await user.type(screen.getByLabelText("Automation target (%)"), "40");
}

describe("onboarding", () => {
  it("asks the server for a live recommendation with the sizing fields and shows it", async () => {
    const seen = stubNetwork({
      "GET /billing/plans": () => json(200, catalogue),
      "POST /billing/recommend": () => json(200, evaluation),
    });
    const user = userEvent.setup();
    render(<AppAt path="/onboarding?step=3" />);
    await fillSizing(user);
    expect(await screen.findByText("Professional", { selector: "strong" }, { timeout: 3000 })).toBeInTheDocument();
    const last = seen.filter((s) => s.path === "/billing/recommend").at(-1)!;
    expect(last.body).toEqual({ seats: 12, estimated_matters_per_month: 20, roi_baseline_hours_per_matter: 10, automation_target_percent: 40 });
    // Debounced: far fewer calls than keystrokes.
    expect(seen.filter((s) => s.path === "/billing/recommend").length).toBeLessThan(4);
    expect(screen.getByTestId("roi-monthly")).toHaveTextContent("$24,000.00");
    expect(screen.getByTestId("plan-community")).toHaveTextContent("12 seats exceed the 5 included");
    // Choosing another plan goes into the next request.
    await user.click(screen.getByRole("radio", { name: "Choose Enterprise" }));
    await waitFor(() => expect(seen.filter((s) => s.path === "/billing/recommend").at(-1)!.body).toMatchObject({ selected_plan: "enterprise" }));
  });

  it("shows the server's 422 field errors beside their fields", async () => {
    stubNetwork({
      "GET /billing/plans": () => json(200, catalogue),
      "POST /billing/recommend": () =>
        apiError(422, "validation_failed", "invalid fields: seats", [{ field: "seats", message: "must be a whole number from 1 to 100000" }]),
    });
    const user = userEvent.setup();
    render(<AppAt path="/onboarding?step=3" />);
    await fillSizing(user);
    const seats = screen.getByLabelText("Seats");
    await waitFor(() => expect(seats).toHaveAttribute("aria-invalid", "true"), { timeout: 3000 });
    expect(seats).toHaveAccessibleDescription(/must be a whole number from 1 to 100000/);
  });

  it("says the server cannot be reached when the network fails", async () => {
    stubOffline();
    const user = userEvent.setup();
    render(<AppAt path="/onboarding?step=3" />);
    await fillSizing(user);
    expect(await screen.findByText("The Docket server could not be reached", {}, { timeout: 3000 })).toBeInTheDocument();
  });

  it("checks each step before moving on", async () => {
    stubNetwork({ "GET /billing/plans": () => json(200, catalogue) });
    const user = userEvent.setup();
    render(<AppAt path="/onboarding" />);
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("Organisation is required")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: /Step 1 of 5/ })).toBeInTheDocument();
  });

  it("submits the intake, puts a 422 beside the field on its step, then shows tenant id, plan and next steps", async () => {
    let attempt = 0;
    const seen = stubNetwork({
      "GET /billing/plans": () => json(200, catalogue),
      "POST /billing/recommend": () => json(200, evaluation),
      "POST /onboarding": () =>
        ++attempt === 1
          ? apiError(422, "validation_failed", "invalid fields: contact_email", [{ field: "contact_email", message: "is not a valid e-mail address" }])
          : json(201, { tenant_id: "harbor-law", plan_id: "professional", recommended_plan: "professional", recommendation: evaluation.recommendation, roi: evaluation.roi, submitted_at: "2026-12-02T07:00:00Z" }),
    });
    const user = userEvent.setup();
    render(<AppAt path="/onboarding" />);
    await user.type(screen.getByLabelText("Organisation"), "Harbor Law");
    await user.type(screen.getByLabelText("Contact name"), "Ann");
    await user.type(screen.getByLabelText("Contact e-mail"), "ann@harbor.example");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await user.type(await screen.findByLabelText("Primary use case"), "Disputes");
    await user.type(screen.getByLabelText("Departments"), "Litigation, Compliance");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await fillSizing(user);
    await user.click(screen.getByRole("button", { name: "Next" }));
    await user.type(await screen.findByLabelText("Success criteria"), "Chronology in a day");
    await user.type(screen.getByLabelText("Go-live date"), "2027-03-01");
    await user.click(screen.getByRole("button", { name: "Next" }));
    await user.click(await screen.findByRole("button", { name: "Submit intake" }));

    const email = await screen.findByLabelText("Contact e-mail");
    expect(screen.getByRole("heading", { name: /Step 1 of 5/ })).toBeInTheDocument();
    expect(email).toHaveAccessibleDescription(/is not a valid e-mail address/);

    await user.click(screen.getByRole("link", { name: /Review and submit/ }));
    await user.click(await screen.findByRole("button", { name: "Submit intake" }));
    const result = await screen.findByTestId("onboarding-result");
    expect(within(result).getByTestId("tenant-id")).toHaveTextContent("harbor-law");
    expect(result).toHaveTextContent("Professional");
    expect(result).toHaveTextContent("What happens next");
    const body = seen.filter((s) => s.path === "/onboarding").at(-1)!;
    expect(body.body).toMatchObject({ organization: "Harbor Law", departments: ["Litigation", "Compliance"], success_criteria: ["Chronology in a day"], seats: 12, go_live_date: "2027-03-01" });
    expect(body.headers.get("Idempotency-Key")).toMatch(/[0-9a-f-]{36}/);
  });
});
