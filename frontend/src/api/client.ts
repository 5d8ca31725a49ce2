import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

/** Schema types by name, e.g. `Schema<"PlanView">`. */
export type Schema<K extends keyof components["schemas"]> = components["schemas"][K];

/** One field the server refused, from a 422's `details.fields`. */
export interface FieldError {
  field: string;
  message: string;
}

/** What went wrong with an API call, in words a person can act on. */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The server's error code (`validation_failed`, `forbidden`, ...) or `network`. */
    readonly code: string,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function origin(): string {
  return typeof window !== "undefined" && window.location?.origin
    ? window.location.origin
    : "http://localhost";
}

/** The typed client; fetch is looked up at call time so tests can stub the network. */
export const api = createClient<paths>({
  baseUrl: origin(),
  fetch: (req: Request) => globalThis.fetch(req),
});

/** Turns a failed response body into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  const err = (body as { error?: { code?: string; message?: string; details?: unknown } })?.error;
  const details = (err?.details ?? {}) as { fields?: unknown };
  const fields = Array.isArray(details.fields)
    ? (details.fields as FieldError[]).filter((f) => f && typeof f.field === "string")
    : [];
  return new ApiError(
    status,
    err?.code ?? `http_${status}`,
    err?.message ?? `the server answered ${status}`,
    fields,
  );
}

function networkError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(
    0,
    "network",
    `could not reach the Docket server (${e instanceof Error ? e.message : String(e)})`,
  );
}

/** Awaits an openapi-fetch call and returns its data or throws an ApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (e) {
    throw networkError(e);
  }
  if (!result.response.ok || result.data === undefined) {
    throw toApiError(result.response.status, result.error);
  }
  return result.data;
}

/** A bearer header for a token. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/**
 * A raw JSON call, for the operations whose published parameters cannot be typed
 * (the server lists `period` and the `/billing/usage` filters as path parameters while
 * reading them from the query string) and for multipart uploads.
 */
export async function requestJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await globalThis.fetch(new URL(path, origin()).toString(), init);
  } catch (e) {
    throw networkError(e);
  }
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw toApiError(res.status, body);
  return body as T;
}

/** Query string from the defined entries of an object. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
