// The shared recommendation vectors, rendered through the onboarding page's own display path.
import { render, screen, within } from "@testing-library/react";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Schema } from "../src/api/client";
import { formatNumber, formatUsd, money, type MoneyValue } from "../src/lib/format";
import { emptyIntake, fromRecommendRequest, toRecommendRequest } from "../src/pages/onboarding/model";
import { RecommendationView } from "../src/pages/onboarding/RecommendationView";
import { catalogue, legacyCatalogue, legacyNumbers, type MoneyAs } from "./fixtures";

interface Vector {
  name: string;
  request: Schema<"RecommendationRequest">;
  expected: {
    recommended_plan: Schema<"PlanId"> | null;
    projected_monthly_queries: number;
    projected_monthly_ingest_gb: number;
    // The vectors file gives money as JSON numbers; it is read through the UI's `money()`.
    plans: Record<Schema<"PlanId">, { eligible: boolean; projected_monthly_cost_usd: MoneyValue }>;
    roi: MoneyAs<Schema<"Roi">, MoneyValue> | null;
  };
}

const vectors: Vector[] = JSON.parse(
  readFileSync(path.resolve(__dirname, "../../crates/billing/tests/vectors/recommendation.json"), "utf8"),
);
const LABEL = { community: "Community", professional: "Professional", enterprise: "Enterprise" } as const;
const PRICE = { community: "0.00", professional: "3499.00", enterprise: "8999.00" } as const;

/** An amount as the server writes it: an exact two-decimal string such as "3499.00". */
const m = (value: MoneyValue): string => money(value).toFixed(2);

/** The server's answer for a vector, money as decimal strings (the current contract). */
function evaluationOf(v: Vector): Schema<"Evaluation"> {
  const ids = Object.keys(v.expected.plans) as Schema<"PlanId">[];
  return {
    recommendation: {
      recommended_plan: v.expected.recommended_plan,
      reason: `reason for ${v.name}`,
      projected_monthly_queries: v.expected.projected_monthly_queries,
      projected_monthly_ingest_gb: v.expected.projected_monthly_ingest_gb,
      comparison: ids.map((id) => ({
        plan_id: id,
        label: LABEL[id],
        monthly_price_usd: PRICE[id],
        projected_monthly_cost_usd: m(v.expected.plans[id].projected_monthly_cost_usd),
        eligible: v.expected.plans[id].eligible,
        recommended: id === v.expected.recommended_plan,
        reasons: [`${id} reason`],
      })),
    },
    roi: v.expected.roi
      ? {
          ...v.expected.roi,
          monthly_value_usd: m(v.expected.roi.monthly_value_usd),
          annual_value_usd: m(v.expected.roi.annual_value_usd),
          plan_monthly_cost_usd: m(v.expected.roi.plan_monthly_cost_usd),
          net_monthly_value_usd: m(v.expected.roi.net_monthly_value_usd),
        }
      : null,
  };
}

describe("shared recommendation vectors", () => {
  it("has vectors to check", () => {
    expect(vectors.length).toBeGreaterThan(10);
  });

  for (const v of vectors) {
    it(`${v.name}: the form sends the vector's request`, () => {
      const form = { ...emptyIntake, ...fromRecommendRequest(v.request) };
      // The form leaves an empty optional field out; the server reads null and absent alike.
      const sent = Object.fromEntries(Object.entries(v.request).filter(([, x]) => x !== null));
      expect(toRecommendRequest(form)).toEqual(sent);
    });

    for (const legacy of [false, true]) {
      it(`${v.name}: displays the expected outcome (money as ${legacy ? "numbers, the older form" : "decimal strings"})`, () => {
        // The older numeric form is outside the current types, so it is cast in explicitly.
        const evaluation = legacy ? (legacyNumbers(evaluationOf(v)) as unknown as Schema<"Evaluation">) : evaluationOf(v);
        const plans = legacy ? (legacyCatalogue as unknown as Schema<"Catalogue">) : catalogue;
        render(<RecommendationView evaluation={evaluation} catalogue={plans} />);
        const rec = screen.getByTestId("recommended");
        if (v.expected.recommended_plan) {
          expect(within(rec).getByText(LABEL[v.expected.recommended_plan])).toBeInTheDocument();
        } else {
          expect(within(rec).getByText("No plan fits these needs.")).toBeInTheDocument();
        }
        for (const [id, p] of Object.entries(v.expected.plans)) {
          expect(screen.getByTestId(`cost-${id}`)).toHaveTextContent(formatUsd(p.projected_monthly_cost_usd));
          expect(screen.getByTestId(`eligible-${id}`)).toHaveTextContent(p.eligible ? "Yes" : "No");
        }
        const roi = v.expected.roi;
        if (!roi) {
          expect(screen.queryByTestId("roi")).toBeNull();
          return;
        }
        expect(screen.getByTestId("roi-hours")).toHaveTextContent(formatNumber(roi.monthly_hours_saved));
        expect(screen.getByTestId("roi-monthly")).toHaveTextContent(formatUsd(roi.monthly_value_usd));
        expect(screen.getByTestId("roi-annual")).toHaveTextContent(formatUsd(roi.annual_value_usd));
        expect(screen.getByTestId("roi-cost")).toHaveTextContent(formatUsd(roi.plan_monthly_cost_usd));
        expect(screen.getByTestId("roi-net")).toHaveTextContent(formatUsd(roi.net_monthly_value_usd));
        expect(screen.getByTestId("roi-payback")).toHaveTextContent(roi.payback_days == null ? "never" : `${formatNumber(roi.payback_days)} days`);
        expect(screen.getByTestId("roi-multiple")).toHaveTextContent(roi.roi_multiple == null ? "free plan" : `${formatNumber(roi.roi_multiple)}×`);
        expect(screen.getByRole("heading", { name: new RegExp(`ROI projection on ${LABEL[roi.plan_id]}`) })).toBeInTheDocument();
      });
    }
  }
});
