import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { AppAt } from "../src/App";
import { catalogue, legacyCatalogue } from "./fixtures";
import { json, stubNetwork, stubOffline } from "./net";

describe("plans, home and 404", () => {
  // The server sends money as decimal strings; the older numeric form must still display the same.
  for (const [form, body] of [["decimal strings", catalogue], ["numbers, the older form", legacyCatalogue]] as const) {
    it(`lists every plan's price, quotas, support, SLA, overage and alert thresholds (money as ${form})`, async () => {
      stubNetwork({ "GET /billing/plans": () => json(200, body) });
      render(<AppAt path="/plans" />);
      expect(await screen.findByRole("heading", { name: "Professional" })).toBeInTheDocument();
      expect(screen.getByText("$3,499")).toBeInTheDocument();
      expect(screen.getByText("$8,999")).toBeInTheDocument();
      expect(screen.getByText("5,000 / month")).toBeInTheDocument();
      expect(screen.getByText("250 GB / month")).toBeInTheDocument();
      expect(screen.getByText("$0.015")).toBeInTheDocument();
      expect(screen.getByText("$2.40")).toBeInTheDocument();
      expect(screen.getByText("Premium: 24x7 hotline, Slack Connect")).toBeInTheDocument();
      expect(screen.getByText("2 h")).toBeInTheDocument();
      expect(screen.getByText(/a soft alert at 80% and a hard alert at 95%/)).toBeInTheDocument();
    });
  }

  it("says what went wrong when the catalogue cannot be fetched", async () => {
    stubOffline();
    render(<AppAt path="/plans" />);
    expect(await screen.findByRole("alert", {}, { timeout: 5000 })).toHaveTextContent("The Docket server could not be reached");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("leads from / to every page", () => {
    render(<AppAt path="/" />);
    for (const name of ["Onboarding", "Plans", "Customer health", "Workspace"]) {
      expect(screen.getAllByRole("link", { name }).length).toBeGreaterThan(0);
    }
  });

  it("answers an unknown address with a 404 page", () => {
    render(<AppAt path="/no/such/page" />);
    expect(screen.getByRole("heading", { level: 1, name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByText("/no/such/page")).toBeInTheDocument();
  });
});
