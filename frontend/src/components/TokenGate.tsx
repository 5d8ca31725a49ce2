import { useId, useState, type ReactNode } from "react";
import { decodeClaims } from "../lib/token";
import type { TokenNeeds } from "./ErrorNotice";

/** Asks for a bearer token until one is given; shows who is signed in and a sign-out button. */
export function TokenGate({
  token,
  onToken,
  onSignOut,
  needs,
  hint,
  children,
}: {
  token: string | null;
  onToken: (t: string) => void;
  onSignOut: () => void;
  needs: TokenNeeds;
  hint: string;
  children: ReactNode;
}) {
  const id = useId();
  const [draft, setDraft] = useState("");
  if (!token) {
    return (
      <form
        className="card token-form"
        onSubmit={(e) => {
          e.preventDefault();
          const t = draft.trim().replace(/^Bearer\s+/i, "");
          if (t) onToken(t);
        }}
      >
        <h2>Sign in with a bearer token</h2>
        <p>
          This page needs a token with {needs.roles.length ? `role ${needs.roles.join(" or ")}, ` : ""}
          scope{needs.scopes.length > 1 ? "s" : ""} <code>{needs.scopes.join(" ")}</code> and audience{" "}
          <code>{needs.audience}</code>. It is kept in this tab only (sessionStorage) and forgotten when
          the tab closes.
        </p>
        <p className="hint">
          An operator makes one with <code>{hint}</code>
        </p>
        <label htmlFor={`${id}-token`}>Bearer token</label>
        <textarea
          id={`${id}-token`}
          name="token"
          rows={3}
          autoComplete="off"
          spellCheck={false}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" disabled={!draft.trim()}>
          Sign in
        </button>
      </form>
    );
  }
  const claims = decodeClaims(token);
  return (
    <>
      <div className="signed-in">
        <span>
          Signed in
          {claims?.sub ? ` as ${claims.sub}` : ""}
          {claims?.tenant ? ` for tenant ${claims.tenant}` : ""}
          {claims?.scopes?.length ? ` (${claims.scopes.join(" ")})` : ""}
        </span>
        <button type="button" className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </div>
      {children}
    </>
  );
}
