import { ApiError } from "../api/client";

/** What a token must carry for the page, named in 401/403 messages. */
export interface TokenNeeds {
  audience: string;
  roles: string[];
  scopes: string[];
}

function needsText(needs: TokenNeeds): string {
  const roles = needs.roles.length ? `role ${needs.roles.join(" or ")}, ` : "";
  return `${roles}scope${needs.scopes.length > 1 ? "s" : ""} ${needs.scopes.join(", ")} and audience ${needs.audience}`;
}

/** A title and advice for an error; exported for tests and for inline use. */
export function describeError(error: unknown, needs?: TokenNeeds): { title: string; advice: string; detail: string } {
  if (error instanceof ApiError) {
    if (error.status === 0) {
      return {
        title: "The Docket server could not be reached",
        advice: "Check your connection or that `docket serve` is running, then try again.",
        detail: error.message,
      };
    }
    if (error.status === 401) {
      return {
        title: "The token was not accepted (401)",
        advice: `The token is missing, expired, malformed or signed with another key. Sign out and paste a fresh token${needs ? ` with ${needsText(needs)}` : ""}.`,
        detail: error.message,
      };
    }
    if (error.status === 403) {
      return {
        title: "This token lacks a permission (403)",
        advice: `The server says: ${error.message}. This page needs a token with ${needs ? needsText(needs) : "the permission named above"}.`,
        detail: error.message,
      };
    }
    if (error.status === 404) {
      return { title: "Not found (404)", advice: "It may have been removed, or the address is mistyped.", detail: error.message };
    }
    if (error.status === 422 || error.status === 400) {
      return { title: "The request was refused", advice: "Correct the fields named below and try again.", detail: error.message };
    }
    if (error.status === 429) {
      return { title: "Too many requests", advice: "Wait a minute and try again.", detail: error.message };
    }
    return {
      title: `The server failed (${error.status})`,
      advice: "Try again in a moment; if it persists, tell your Docket operator.",
      detail: error.message,
    };
  }
  return {
    title: "Something went wrong",
    advice: "Reload the page and try again.",
    detail: error instanceof Error ? error.message : String(error),
  };
}

/** An API failure, said in words, with what to do; never a blank screen. */
export function ErrorNotice({ error, needs, onRetry }: { error: unknown; needs?: TokenNeeds; onRetry?: () => void }) {
  const { title, advice, detail } = describeError(error, needs);
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      <p>{advice}</p>
      {detail && detail !== advice ? <p className="notice-detail">Details: {detail}</p> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A small loading line announced to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}
