import { useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation } from "react-router";

/** The frame of every page: skip link, header navigation and the main region. */
export function Layout() {
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  // After a client-side navigation, focus goes to the new page's content, as a reload would.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <NavLink to="/" className="brand">
          Docket
        </NavLink>
        <nav aria-label="Main">
          <ul>
            <li><NavLink to="/onboarding">Onboarding</NavLink></li>
            <li><NavLink to="/plans">Plans</NavLink></li>
            <li><NavLink to="/dashboard">Customer health</NavLink></li>
            <li><NavLink to="/workspace">Workspace</NavLink></li>
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
