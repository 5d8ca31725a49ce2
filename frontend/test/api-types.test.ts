// The committed API types must be what the committed openapi.json produces; refresh both
// with `npm run gen:api` against a running server (then copy its document to src/api/openapi.json).
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
// @ts-expect-error: a plain ES module script without types
import { generate } from "../scripts/gen-api.mjs";

it("src/api/schema.d.ts matches src/api/openapi.json", async () => {
  const root = path.resolve(__dirname, "../src/api");
  const doc = JSON.parse(readFileSync(path.join(root, "openapi.json"), "utf8"));
  const committed = readFileSync(path.join(root, "schema.d.ts"), "utf8");
  expect(await generate(doc)).toBe(committed);
});

it("drift is detected: a changed document produces different types", async () => {
  const root = path.resolve(__dirname, "../src/api");
  const doc = JSON.parse(readFileSync(path.join(root, "openapi.json"), "utf8"));
  doc.components.schemas.PlanView.properties.monthly_price_usd = { type: "string" };
  const committed = readFileSync(path.join(root, "schema.d.ts"), "utf8");
  expect(await generate(doc)).not.toBe(committed);
});
