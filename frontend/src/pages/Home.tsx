import { Link } from "react-router";
import { usePageTitle } from "../lib/title";

/** The front door: one card per audience. */
export function Home() {
  usePageTitle("Docket");
  return (
    <>
      <h1>Docket</h1>
      <p className="lead">Document intelligence for litigation teams, with its commercial layer built in.</p>
      <ul className="cards">
        <li className="card">
          <h2><Link to="/onboarding">Onboarding</Link></h2>
          <p>For prospects: describe your team, see the recommended plan, every plan compared and the ROI projection, then submit.</p>
        </li>
        <li className="card">
          <h2><Link to="/plans">Plans</Link></h2>
          <p>Prices, quotas, seats, support and overage rates of every plan.</p>
        </li>
        <li className="card">
          <h2><Link to="/dashboard">Customer health</Link></h2>
          <p>For customer success managers: every tenant's health, usage, cost and alerts.</p>
        </li>
        <li className="card">
          <h2><Link to="/workspace">Workspace</Link></h2>
          <p>For litigation teams: upload documents, search with citations, read the timeline and see your usage.</p>
        </li>
      </ul>
    </>
  );
}
