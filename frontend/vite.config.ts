/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import type { ProxyOptions } from "vite";

/** Where `npm run dev` and `vite preview` send API calls: a running `docket serve`. */
const apiTarget = process.env.DOCKET_API_URL ?? "http://127.0.0.1:8080";

/** Paths the server answers; everything else is the single-page app. */
export const API_PATHS = [
  "/billing",
  "/onboarding",
  "/documents",
  "/entities",
  "/graph",
  "/health",
  "/ingest",
  "/query",
  "/timeline",
  "/usage",
  "/openapi.json",
];

function proxyTo(target: string): Record<string, ProxyOptions> {
  const entry: ProxyOptions = {
    target,
    changeOrigin: false,
    // `/onboarding` is both a page (GET from the browser) and an API path (POST):
    // a navigation asking for HTML gets the app instead of the server.
    bypass(req) {
      if (req.method === "GET" && (req.headers.accept ?? "").includes("text/html")) {
        return "/index.html";
      }
      return undefined;
    },
  };
  return Object.fromEntries(API_PATHS.map((p) => [p, entry]));
}

export default defineConfig({
  plugins: [react()],
  server: { proxy: proxyTo(apiTarget) },
  preview: { proxy: proxyTo(apiTarget) },
  build: { outDir: "dist", sourcemap: false },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./test/setup.ts"],
    testTimeout: 30_000,
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
  },
});
