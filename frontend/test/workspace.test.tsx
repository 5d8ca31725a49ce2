import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { AppAt } from "../src/App";
import { catalogue, snapshot } from "./fixtures";
import { apiError, json, stubNetwork, stubOffline } from "./net";

const TOKEN = "aaa.eyJzdWIiOiJhbm4iLCJ0ZW5hbnRfaWQiOiJhY21lIiwic2NvcGUiOiJxdWVyeTpyZWFkIn0.sig";
const DOC = "01a23588-2029-76dc-8b35-06e2ab97d8bf";

function signedIn() {
  sessionStorage.setItem("docket.workspace.token", TOKEN);
}

const job = (status: string, over = {}) => ({
  job_id: "01a23588-1b28-73bc-959b-abaa41cbd421", tenant_id: "acme", submitted_by: "ann", status, discovered: 2, ingested: status === "running" ? 0 : 1,
  duplicates: 0, failed: status === "running" ? 0 : 1, bytes: 1200, errors: status === "running" ? [] : [{ source: "broken.pdf", error: "not a PDF" }],
  created_at: "2026-12-02T07:00:00Z", started_at: null, finished_at: null, metered: true, ...over,
});

describe("workspace", () => {
  it("asks for a tenant token and says who is signed in", async () => {
    stubNetwork({ "GET /billing/plans": () => json(200, catalogue), "GET /usage": () => json(200, { snapshot: snapshot({}), daily: [], alerts: [] }) });
    const user = userEvent.setup();
    render(<AppAt path="/workspace" />);
    expect(screen.getByText(/scopes/)).toHaveTextContent("usage:read");
    await user.type(screen.getByLabelText("Bearer token"), TOKEN);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText(/Signed in as ann for tenant acme \(query:read\)/)).toBeInTheDocument();
  });

  it("shows the tenant's own usage against its quotas with the projected monthly cost", async () => {
    signedIn();
    stubNetwork({
      "GET /billing/plans": () => json(200, catalogue),
      "GET /usage": () => json(200, { snapshot: snapshot({ projected_monthly_cost_usd: "3512.25" }), daily: [], alerts: [{ tenant_id: "acme", period: "2026-12", dimension: "seats", level: "soft", consumption: 0.84, triggered_at: "2026-12-01T00:00:00Z" }] }),
    });
    render(<AppAt path="/workspace" />);
    expect(await screen.findByTestId("projected-cost")).toHaveTextContent("$3,512.25");
    expect(screen.getByText(/soft alert on seats at 84 %/)).toBeInTheDocument();
    expect(screen.getByRole("meter", { name: "Seats share of quota" })).toBeInTheDocument();
  });

  it("uploads dropped files as multipart and follows the job to its per-document errors", async () => {
    signedIn();
    let polls = 0;
    const seen = stubNetwork({
      "POST /documents": () => json(202, job("running")),
      "GET /ingest/01a23588-1b28-73bc-959b-abaa41cbd421": () => json(200, ++polls < 2 ? job("running") : job("partially_failed")),
      "GET /ingest": () => json(200, [job("partially_failed")]),
    });
    const user = userEvent.setup();
    render(<AppAt path="/workspace/upload" />);
    await user.upload(screen.getByLabelText("Choose files"), [new File(["hello"], "a.txt", { type: "text/plain" }), new File(["%PDF"], "broken.pdf")]);
    await user.click(screen.getByRole("button", { name: "Upload 2 files" }));
    expect(await screen.findByText("partially failed", {}, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByRole("list", { name: "Documents that failed" })).toHaveTextContent("broken.pdf: not a PDF");
    const post = seen.find((s) => s.method === "POST")!;
    // No content-type of our own: the browser sets multipart/form-data with its boundary.
    expect(post.headers.get("content-type")).toBeNull();
    expect(post.headers.get("Authorization")).toBe(`Bearer ${TOKEN}`);
    expect(post.body).toEqual([["file", "a.txt"], ["file", "broken.pdf"]]);
  });

  it("starts an ingestion of a server folder, follows its job, and shows the server's refusal of a folder outside the grant", async () => {
    signedIn();
    let refuse = true;
    const seen = stubNetwork({
      "POST /ingest": () =>
        refuse
          ? apiError(422, "validation_failed", "sources[0].path: 'elsewhere/secret' is not inside an ingest root granted to tenant 'acme' (DOCKET_INGEST_ROOTS)")
          : json(202, job("running")),
      "GET /ingest/01a23588-1b28-73bc-959b-abaa41cbd421": () => json(200, job("partially_failed")),
      "GET /ingest": () => json(200, []),
    });
    const user = userEvent.setup();
    render(<AppAt path="/workspace/upload" />);
    await user.type(screen.getByLabelText("Server folder"), "elsewhere/secret");
    await user.click(screen.getByRole("button", { name: "Start ingestion" }));
    expect(await screen.findByText(/not inside an ingest root granted to tenant 'acme'/)).toBeInTheDocument();
    refuse = false;
    await user.clear(screen.getByLabelText("Server folder"));
    await user.type(screen.getByLabelText("Server folder"), "matters/demo");
    await user.click(screen.getByRole("button", { name: "Start ingestion" }));
    expect(await screen.findByText("partially failed", {}, { timeout: 5000 })).toBeInTheDocument();
    const posts = seen.filter((s) => s.method === "POST");
    expect(posts.at(-1)!.body).toEqual({ sources: [{ type: "local", path: "matters/demo" }] });
    expect(posts.at(-1)!.headers.get("Authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("searches with documents, their highlighted passages, missing terms, citations, the extractive answer, filters and paging", async () => {
    signedIn();
    const passage = "Invoice 2291 is due";
    const seen = stubNetwork({
      "GET /query": (r) =>
        json(200, {
          total_hits: 12, page: Number(r.search.get("page")), page_size: 10, took_ms: 3,
          answer: [{ sentence: "Invoice 2291 is due.", citation: { document_id: DOC, source: "invoice-2291.txt", passage_start: 0, passage_end: 20 } }],
          results: [{ document_id: DOC, title: "invoice-2291.txt", source: "invoice-2291.txt", source_type: "upload", score: 11.9, passage: { text: passage, start: 0, end: 19, highlights: [{ start: 0, end: 7 }] }, passages: [{ text: passage, start: 0, end: 19, highlights: [{ start: 0, end: 7 }] }], matching_passages: 2, matched_terms: ["invoice"], missing_terms: ["overdue"], citation: { document_id: DOC, source: "invoice-2291.txt", passage_start: 0, passage_end: 19 } }],
        }),
    });
    const user = userEvent.setup();
    render(<AppAt path="/workspace/search" />);
    await user.type(screen.getByLabelText("Search the documents"), "invoice");
    await user.type(screen.getByLabelText("Source contains"), "invoice-2291");
    await user.click(screen.getByRole("button", { name: "Search" }));
    const mark = await screen.findByText("Invoice", { selector: "mark" });
    expect(mark).toBeInTheDocument();
    expect(screen.getByText("Answer from the documents")).toBeInTheDocument();
    expect(screen.getByText("12 documents", { exact: false })).toBeInTheDocument();
    expect(screen.getByText("Missing: overdue")).toBeInTheDocument();
    expect(screen.getByText(/2 matching passages/)).toBeInTheDocument();
    expect(screen.getAllByText(/invoice-2291.txt, characters 0–19/).length).toBeGreaterThan(0);
    expect(seen.at(-1)!.search.get("filters[source]")).toBe("invoice-2291");
    await user.click(screen.getByRole("button", { name: "Next page" }));
    await waitFor(() => expect(seen.at(-1)!.search.get("page")).toBe("2"));
  });

  it("names the missing scope on a 403", async () => {
    signedIn();
    stubNetwork({ "GET /timeline": () => apiError(403, "forbidden", "requires the scope 'timeline:read'") });
    render(<AppAt path="/workspace/timeline" />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("requires the scope 'timeline:read'");
    expect(alert).toHaveTextContent("scope timeline:read and audience docket-api");
  });

  it("shows a 401 and the network failure as messages, not a blank page", async () => {
    signedIn();
    stubNetwork({ "GET /documents": () => apiError(401, "unauthorized", "authentication required: token expired") });
    render(<AppAt path="/workspace/documents" />);
    expect(await screen.findByRole("alert")).toHaveTextContent("The token was not accepted (401)");
  });

  it("loads the timeline page by page over the cursor, with entity links and filters in the address", async () => {
    signedIn();
    const ev = (id: string, ts: string) => ({
      id, document_id: DOC, ts, precision: "day", title: `event ${id}`, summary: "Meridian Shipping Corp. sailed", origin: "body", confidence: 0.9,
      citations: [{ document_id: DOC, start: 0, end: 10 }],
      entity_highlights: [{ entity_id: "org:meridian", kind: "organization", text: "Meridian Shipping Corp.", start: 0, end: 23 }],
    });
    const seen = stubNetwork({
      "GET /timeline": (r) =>
        json(200, r.search.get("cursor") ? { events: [ev("b", "2021-03-05")], next_cursor: null } : { events: [ev("a", "2021-03-03")], next_cursor: "c1" }),
    });
    const user = userEvent.setup();
    render(<AppAt path="/workspace/timeline?entity=org:meridian&from=2021-01-01" />);
    expect(await screen.findByText("event a")).toBeInTheDocument();
    expect(seen[0].search.get("entity")).toBe("org:meridian");
    expect(seen[0].search.get("from_ts")).toBe("2021-01-01");
    await user.click(screen.getByRole("button", { name: "Load more events" }));
    expect(await screen.findByText("event b")).toBeInTheDocument();
    expect(seen.at(-1)!.search.get("cursor")).toBe("c1");
    expect(screen.getByText(/End of the timeline/)).toBeInTheDocument();
    expect(within(screen.getByTestId("timeline")).getAllByRole("link", { name: "Meridian Shipping Corp." })[0]).toHaveAttribute("href", "/workspace/entities/org%3Ameridian");
  });

  it("shows an entity's neighbourhood", async () => {
    signedIn();
    const info = (id: string, name: string) => ({ id, kind: "organization", normalized: name, mentions: 5, documents: 3 });
    stubNetwork({
      "GET /entities": () => json(200, [info("org:meridian", "Meridian Shipping Corp")]),
      "GET /graph/neighbor": () =>
        json(200, { entity: info("org:meridian", "Meridian Shipping Corp"), documents: [{ id: DOC, source: "a.eml", title: "Late delivery", mentions: 2 }], co_occurring: [{ entity: info("person:dana", "Dana Whitfield"), shared_documents: 2 }] }),
    });
    render(<AppAt path="/workspace/entities/org%3Ameridian" />);
    expect(await screen.findByRole("heading", { name: "Meridian Shipping Corp" })).toBeInTheDocument();
    expect(screen.getByText("Late delivery (2 mentions)")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Dana Whitfield" })).toBeInTheDocument();
  });

  it("says the server is unreachable when the network fails", async () => {
    signedIn();
    stubOffline();
    render(<AppAt path="/workspace/entities" />);
    expect(await screen.findByRole("alert")).toHaveTextContent("The Docket server could not be reached");
  });
});

describe("highlights", () => {
  it("marks byte ranges, so text after a multi-byte character lines up", async () => {
    const { Highlighted } = await import("../src/pages/workspace/Sections");
    const text = "NEW YORK, April 2, 2021 — Meridian Shipping Corp. today";
    const start = new TextEncoder().encode("NEW YORK, April 2, 2021 — ").length;
    const end = start + "Meridian Shipping Corp.".length;
    render(<p data-testid="p"><Highlighted text={text} ranges={[{ start, end }]} /></p>);
    expect(screen.getByText("Meridian Shipping Corp.", { selector: "mark" })).toBeInTheDocument();
    expect(screen.getByTestId("p")).toHaveTextContent(text);
  });
});
