// End-to-end run: a real `docket serve`, the built UI, Debian's Chromium driven by playwright-core.
//
//   DOCKET_BIN       the docket binary (default: target/debug/docket from the repository root)
//   E2E_UI           "preview" (default): serve dist/ with `vite preview`, proxying API paths to
//                    the docket server; "server": the docket server serves the UI itself
//   CHROMIUM         the browser (default /usr/bin/chromium)
//
// Prints "N passed, N failed" and exits non-zero on any failure. Screenshots of every page at
// 1280 and 390 px go to e2e/screenshots/.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const here = path.dirname(fileURLToPath(import.meta.url));
const frontend = path.resolve(here, "..");
const repo = path.resolve(frontend, "..");
const DOCKET_BIN = path.resolve(repo, process.env.DOCKET_BIN ?? "target/debug/docket");
const UI_MODE = process.env.E2E_UI ?? "preview";
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const shots = path.join(here, "screenshots");
const storage = mkdtempSync(path.join(os.tmpdir(), "docket-e2e-storage-"));
const profile = mkdtempSync(path.join(os.tmpdir(), "docket-e2e-profile-"));
const children = [];
let passed = 0;
let failed = 0;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function start(cmd, args, env, name) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  child.on("exit", (code) => {
    if (code && !child.stopping) console.error(`${name} exited with ${code}:\n${log.slice(-2000)}`);
  });
  children.push(child);
  return child;
}

async function waitFor(url, what) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not answer at ${url} within 30 s`);
}

function token(args) {
  return execFileSync(DOCKET_BIN, ["token", ...args], { env: { ...process.env, DOCKET_STORAGE_DIR: storage } })
    .toString()
    .trim();
}

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e?.stack ?? e).split("\n").slice(0, 6).join("\n     ")}`);
  }
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

async function main() {
  if (!existsSync(DOCKET_BIN)) throw new Error(`no docket binary at ${DOCKET_BIN}: build it or set DOCKET_BIN`);
  const apiPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  // Every tenant may ingest the demo folder from the server's disk (named "demo" after its folder).
  const roots = `*=${path.join(repo, "demo")}`;
  start(DOCKET_BIN, ["serve", "--bind", `127.0.0.1:${apiPort}`], { DOCKET_STORAGE_DIR: storage, DOCKET_INGEST_ROOTS: roots, RUST_LOG: "warn" }, "docket serve");
  await waitFor(`${api}/health`, "docket serve");

  let base = api;
  if (UI_MODE === "preview") {
    if (!existsSync(path.join(frontend, "dist", "index.html"))) throw new Error("no dist/: run npm run build first");
    const uiPort = await freePort();
    start(
      path.join(frontend, "node_modules", ".bin", "vite"),
      ["preview", "--host", "127.0.0.1", "--port", String(uiPort), "--strictPort"],
      { DOCKET_API_URL: api },
      "vite preview",
    );
    base = `http://127.0.0.1:${uiPort}`;
    await waitFor(`${base}/`, "vite preview");
  }
  console.log(`docket at ${api}, UI at ${base}`);

  const csm = token(["--aud", "docket-billing", "--role", "CustomerSuccessManager", "--scope", "billing:read"]);

  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  const stamp = Date.now().toString(36);
  const org = `E2E Litigation ${stamp}`;
  let tenantId = "";

  await test("a prospect completes onboarding and sees tenant id, plan and next steps", async () => {
    await page.goto(`${base}/onboarding`);
    await page.getByLabel("Organisation").fill(org);
    await page.getByLabel("Contact name").fill("Ann Example");
    await page.getByLabel("Contact e-mail").fill("ann@firm.example");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Primary use case").fill("Review shipping disputes");
    await page.getByLabel("Departments").fill("Litigation\nCompliance");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Seats", { exact: true }).fill("12");
    await page.getByLabel("Matters per month").fill("20");
    await page.getByLabel("Baseline hours per matter").fill("10");
    await page.getByLabel("Automation target (%)").fill("40");
    await page.getByLabel("Hourly rate (USD, optional)").fill("300");
    // The live recommendation, from the server, for the vector `professional_by_seats`.
    await page.getByTestId("recommended").getByText("Professional", { exact: true }).waitFor();
    await page.getByTestId("roi-monthly").getByText("$24,000.00").waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Success criteria").fill("Chronology in a day");
    await page.getByLabel("Go-live date").fill("2027-03-01");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Submit intake" }).click();
    await page.getByTestId("onboarding-result").waitFor();
    tenantId = (await page.getByTestId("tenant-id").textContent())?.trim() ?? "";
    expect(/^[a-z0-9-]+$/.test(tenantId), `tenant id shown: ${tenantId}`);
    await page.getByText("What happens next").waitFor();
  });

  await test("the new tenant appears on the dashboard opened with a CustomerSuccessManager token", async () => {
    expect(tenantId, "onboarding gave a tenant id");
    await page.goto(`${base}/dashboard`);
    await page.getByLabel("Bearer token").fill(csm);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("tile-tenants").waitFor();
    await page.getByLabel("Search by name").fill(stamp);
    await page.getByTestId(`tenant-${tenantId}`).waitFor();
    await page.getByRole("link", { name: org }).click();
    await page.getByRole("heading", { name: org, level: 1 }).waitFor();
    await page.getByText("Review shipping disputes").waitFor();
  });

  await test("a wrong-audience token gets a 403 naming what it lacks", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    const wrong = token(["--tenant", "other-tenant", "--aud", "docket-api", "--role", "CaseCoordinator", "--scope", "query:read"]);
    await page.getByLabel("Bearer token").fill(wrong);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("This token lacks a permission (403)").waitFor();
    await page.getByText(/audience docket-billing/).first().waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Bearer token").fill(csm);
    await page.getByRole("button", { name: "Sign in" }).click();
  });

  const tenantToken = () =>
    token([
      "--tenant", tenantId || "demo", "--aud", "docket-api", "--role", "CaseCoordinator", "--role", "TenantAdmin",
      "--scope", "ingest:write", "--scope", "ingest:read", "--scope", "query:read", "--scope", "timeline:read", "--scope", "usage:read",
    ]);

  await test("a tenant user uploads the demo matter, sees the job finish, finds a passage and opens the timeline", async () => {
    const matter = path.join(repo, "demo", "matter");
    const files = readdirSync(matter).filter((f) => !/^readme/i.test(f)).map((f) => path.join(matter, f));
    expect(files.length > 0, "demo/matter has files");
    await page.goto(`${base}/workspace/upload`);
    await page.getByLabel("Bearer token").fill(tenantToken());
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#files").setInputFiles(files);
    await page.getByRole("button", { name: /^Upload \d+ files?$/ }).click();
    await page.getByTestId("job-status").getByText(/succeeded|partially failed/).waitFor({ timeout: 60_000 });
    await page.getByRole("link", { name: "Search", exact: true }).click();
    await page.getByLabel("Search the documents").fill('"late delivery"');
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.locator(".hit mark").first().waitFor();
    const marked = (await page.locator(".hit mark").allTextContents()).map((m) => m.toLowerCase());
    expect(marked.every((m) => /late|deliver/.test(m)), `highlights mark the query's terms: ${marked.join(", ")}`);
    await page.getByText("Answer from the documents").waitFor();
    await page.getByRole("link", { name: "Timeline", exact: true }).click();
    await page.locator(".timeline .event").first().waitFor();
    const n = await page.locator(".timeline .event").count();
    expect(n > 0, "timeline shows events");
  });

  await test("a tenant user starts an ingestion of a server folder; a folder outside the grant is refused with the server's reason", async () => {
    await page.goto(`${base}/workspace/upload`);
    await page.getByLabel("Server folder").fill("/etc");
    await page.getByRole("button", { name: "Start ingestion" }).click();
    await page.getByRole("alert").filter({ hasText: /sources\[0\]\.path|ingest root|outside/i }).first().waitFor({ timeout: 10_000 });
    await page.getByLabel("Server folder").fill("demo/matter");
    await page.getByRole("button", { name: "Start ingestion" }).click();
    await page.getByTestId("job-status").getByText(/succeeded|partially failed/).waitFor({ timeout: 60_000 });
  });

  const pages = [
    ["home", "/", "Docket"],
    ["onboarding", "/onboarding?step=3", "Onboarding"],
    ["plans", "/plans", "Plans"],
    ["dashboard", "/dashboard", "Customer health"],
    ["tenant", () => `/dashboard/tenants/${tenantId || "demo"}`, null],
    ["workspace-usage", "/workspace", "Workspace"],
    ["workspace-upload", "/workspace/upload", "Workspace"],
    ["workspace-documents", "/workspace/documents", "Workspace"],
    ["workspace-search", "/workspace/search?q=invoice", "Workspace"],
    ["workspace-timeline", "/workspace/timeline", "Workspace"],
    ["workspace-entities", "/workspace/entities", "Workspace"],
    ["not-found", "/no-such-page", "Page not found"],
  ];
  // Both tokens in this tab's sessionStorage, so every page shows its content.
  await page.goto(`${base}/`);
  await page.evaluate(
    ([a, b]) => {
      sessionStorage.setItem("docket.dashboard.token", a);
      sessionStorage.setItem("docket.workspace.token", b);
      // A half-filled intake, so the onboarding page shows a live recommendation and its chart.
      sessionStorage.setItem(
        "docket.onboarding.draft",
        JSON.stringify({ organization: "Harbor Law", seats: "12", estimated_matters_per_month: "20", roi_baseline_hours_per_matter: "10", automation_target_percent: "40", hourly_rate: "300" }),
      );
    },
    [csm, tenantToken()],
  );
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  for (const [name, p, heading] of pages) {
    const address = typeof p === "function" ? p() : p;
    const t = { start: Date.now(), marks: [] };
    const mark = (what) => t.marks.push(`${what} ${Date.now() - t.start}`);
    await test(`${name}: loads and reloads at ${address}, axe finds no serious or critical violation, screenshots`, async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      const res = await page.goto(`${base}${address}`);
      expect(res && res.status() === 200, `GET ${address} answered ${res?.status()}`);
      const h1 = page.getByRole("heading", { level: 1 });
      if (heading) await h1.getByText(heading, { exact: true }).waitFor();
      else await h1.waitFor();
      await page.waitForLoadState("networkidle");
      mark("loaded");
      // A reload is a fresh request for the same address (page.reload waits on an idle load event).
      const reload = await page.goto(page.url());
      mark("goto");
      expect(reload && reload.status() === 200, `reload of ${address} answered ${reload?.status()}`);
      await h1.waitFor();
      mark("h1");
      // Chromium's network-idle signal after a same-address navigation arrives late; the
      // page's own loading lines say when its data is in.
      await page.waitForFunction(() => !document.querySelector(".loading"), null, { polling: 100 });
      mark("loading-gone");
      await sleep(300);
      const alerts = await page.locator('[role="alert"]').allTextContents();
      expect(alerts.length === 0, `${address} shows an error: ${alerts.join(" | ")}`);
      mark("reloaded");
      const axe = await new AxeBuilder({ page }).analyze();
      const bad = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(!bad.length, bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`).join("; "));
      mark("axe");
      await page.screenshot({ path: path.join(shots, `${name}-1280.png`), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await sleep(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      const wide = overflow > 1
        ? await page.evaluate(() =>
            [...document.querySelectorAll("main *")]
              .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest(".table-wrap") && !el.closest("svg"))
              .slice(0, 8)
              .map((el) => `${el.tagName.toLowerCase()}.${el.getAttribute("class") ?? ""}:${Math.round(el.getBoundingClientRect().width)}`)
              .join(", "),
          )
        : "";
      if (overflow > 1 && process.env.E2E_DEBUG)
        console.log(await page.evaluate(() => [...document.querySelectorAll(".onboarding, .onboarding > *, .chart, .chart-box, .recharts-responsive-container, .recharts-wrapper, .recharts-wrapper > svg, .recharts-legend-wrapper")].map((e) => `${e.tagName}.${e.getAttribute("class")} ${Math.round(e.getBoundingClientRect().left)}+${Math.round(e.getBoundingClientRect().width)} ${getComputedStyle(e).position}`).join("\n")));
      expect(overflow <= 1, `${address} scrolls sideways by ${overflow} px at 390 px: ${wide}`);
      await page.screenshot({ path: path.join(shots, `${name}-390.png`), fullPage: true });
      mark("shots");
      if (process.env.E2E_TIMINGS) console.log(`     ${t.marks.join(", ")}`);
    });
  }

  await test("no uncaught page error during the run", async () => {
    expect(consoleErrors.length === 0, consoleErrors.join("\n"));
  });

  await context.close();
}

try {
  await main();
} catch (e) {
  failed++;
  console.error(`FAIL setup: ${e?.stack ?? e}`);
} finally {
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          c.stopping = true;
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", resolve);
          c.kill("SIGTERM");
          setTimeout(() => {
            c.kill("SIGKILL");
            resolve();
          }, 5000);
        }),
    ),
  );
  rmSync(storage, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
