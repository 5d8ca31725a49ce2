import { NavLink, Outlet, useOutletContext } from "react-router";
import type { TokenNeeds } from "../../components/ErrorNotice";
import { TokenGate } from "../../components/TokenGate";
import { useSessionToken } from "../../lib/token";

export const WORKSPACE_TOKEN_KEY = "docket.workspace.token";
export const WORKSPACE_NEEDS: TokenNeeds = {
  audience: "docket-api",
  roles: ["CaseCoordinator", "ResearchAnalyst", "TenantAdmin"],
  scopes: ["ingest:write", "ingest:read", "query:read", "timeline:read", "usage:read"],
};
const HINT =
  "docket token --tenant <tenant> --aud docket-api --role CaseCoordinator --role TenantAdmin --scope ingest:write --scope ingest:read --scope query:read --scope timeline:read --scope usage:read";

/** The tenant workspace frame: token, section navigation, and the section. */
export function Workspace() {
  const [token, setToken, clear] = useSessionToken(WORKSPACE_TOKEN_KEY);
  return (
    <>
      <h1>Workspace</h1>
      <TokenGate token={token} onToken={setToken} onSignOut={clear} needs={WORKSPACE_NEEDS} hint={HINT}>
        <nav aria-label="Workspace" className="tabs">
          <ul>
            <li><NavLink end to="/workspace">Usage</NavLink></li>
            <li><NavLink to="/workspace/upload">Upload</NavLink></li>
            <li><NavLink to="/workspace/documents">Documents</NavLink></li>
            <li><NavLink to="/workspace/search">Search</NavLink></li>
            <li><NavLink to="/workspace/timeline">Timeline</NavLink></li>
            <li><NavLink to="/workspace/entities">Entities</NavLink></li>
          </ul>
        </nav>
        <Outlet context={token} />
      </TokenGate>
    </>
  );
}

/** The signed-in token, for the workspace's sections. */
export function useWorkspaceToken(): string {
  return useOutletContext<string>();
}
