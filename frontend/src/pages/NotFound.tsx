import { Link, useLocation } from "react-router";
import { usePageTitle } from "../lib/title";

/** Any address the app does not know. */
export function NotFound() {
  usePageTitle("Page not found");
  const { pathname } = useLocation();
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{pathname}</code>. <Link to="/">Go to the start page</Link> to find what you need.
      </p>
    </>
  );
}
