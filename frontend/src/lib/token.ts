import { useCallback, useState } from "react";

/**
 * Bearer tokens live in sessionStorage only: never in a URL, a log or localStorage, and
 * they are gone when the tab closes.
 */
export function useSessionToken(key: string): [string | null, (t: string) => void, () => void] {
  const [token, setTokenState] = useState<string | null>(() => read(key));
  const setToken = useCallback(
    (t: string) => {
      sessionStorage.setItem(key, t);
      setTokenState(t);
    },
    [key],
  );
  const clear = useCallback(() => {
    sessionStorage.removeItem(key);
    setTokenState(null);
  }, [key]);
  return [token, setToken, clear];
}

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/** The claims a person can check in their token; nothing is verified here, the server does that. */
export interface TokenClaims {
  sub?: string;
  tenant?: string;
  aud?: string | string[];
  roles?: string[];
  scopes?: string[];
  exp?: number;
}

/** Reads a JWT's payload for display; null when it is not a JWT. */
export function decodeClaims(token: string): TokenClaims | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const raw = JSON.parse(json) as Record<string, unknown>;
    const list = (v: unknown): string[] | undefined =>
      Array.isArray(v) ? v.map(String) : typeof v === "string" ? v.split(" ") : undefined;
    return {
      sub: typeof raw.sub === "string" ? raw.sub : undefined,
      tenant: typeof raw.tenant === "string" ? raw.tenant : typeof raw.tenant_id === "string" ? raw.tenant_id : undefined,
      aud: raw.aud as string | string[] | undefined,
      roles: list(raw.roles),
      scopes: list(raw.scopes ?? raw.scope),
      exp: typeof raw.exp === "number" ? raw.exp : undefined,
    };
  } catch {
    return null;
  }
}
