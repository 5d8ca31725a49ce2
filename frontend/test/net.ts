import { vi } from "vitest";

/** A recorded request at the network boundary. */
export interface Seen {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Handler = (req: Seen) => Response | Promise<Response>;

/** JSON response helper. */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** The server's error body. */
export function apiError(status: number, code: string, message: string, fields?: { field: string; message: string }[]) {
  return json(status, { error: { code, message, details: fields ? { fields } : {} } });
}

/**
 * Stubs `fetch` (the network boundary) with handlers keyed "METHOD /path"; an unknown
 * request fails the test loudly. Returns the list of requests seen.
 */
export function stubNetwork(handlers: Record<string, Handler>): Seen[] {
  const seen: Seen[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = input instanceof Request ? input : new Request(String(input), init);
      const url = new URL(req.url);
      // A multipart body is recorded as its parts: jsdom's File does not survive Node's encoder.
      if (init?.body instanceof FormData) {
        const parts = [...init.body.entries()].map(([name, v]) => [name, typeof v === "string" ? v : v.name]);
        const s: Seen = { method: req.method, path: url.pathname, search: url.searchParams, headers: new Headers(init.headers), body: parts };
        seen.push(s);
        const h = handlers[`${req.method} ${url.pathname}`];
        if (!h) throw new Error(`unexpected request ${req.method} ${url.pathname}`);
        return h(s);
      }
      const text = req.method === "GET" ? "" : await req.clone().text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const s: Seen = { method: req.method, path: url.pathname, search: url.searchParams, headers: req.headers, body };
      seen.push(s);
      const h = handlers[`${req.method} ${url.pathname}`];
      if (!h) throw new Error(`unexpected request ${req.method} ${url.pathname}`);
      return h(s);
    }),
  );
  return seen;
}

/** A fetch that cannot reach any server. */
export function stubOffline() {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    }),
  );
}
