// Generates src/api/schema.d.ts from the server's OpenAPI document.
//   npm run gen:api                      reads http://127.0.0.1:8080/openapi.json (DOCKET_API_URL)
//   npm run gen:api -- path/openapi.json reads a saved document
//   npm run check:api [-- source]        fails when the committed types differ
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.join(here, "..", "src", "api", "schema.d.ts");

/** The generated module text for one OpenAPI document (an object). */
export async function generate(doc) {
  const ast = await openapiTS(structuredClone(doc), { alphabetize: true, defaultNonNullable: false });
  return (
    "// Generated from the server's /openapi.json by `npm run gen:api`. Do not edit.\n" +
    astToString(ast)
  );
}

async function load(source) {
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`${source} answered ${res.status}`);
    return res.json();
  }
  return JSON.parse(await readFile(source, "utf8"));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const source =
    args.find((a) => a !== "--check") ??
    `${process.env.DOCKET_API_URL ?? "http://127.0.0.1:8080"}/openapi.json`;
  const text = await generate(await load(source));
  if (check) {
    const committed = await readFile(target, "utf8").catch(() => "");
    if (committed !== text) {
      console.error(`src/api/schema.d.ts differs from what ${source} produces: run npm run gen:api`);
      process.exit(1);
    }
    console.log(`src/api/schema.d.ts matches ${source}`);
  } else {
    await writeFile(target, text);
    console.log(`wrote ${path.relative(process.cwd(), target)} from ${source}`);
  }
}
