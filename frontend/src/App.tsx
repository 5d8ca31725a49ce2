import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createBrowserRouter, createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { Layout } from "./components/Layout";
import { Dashboard } from "./pages/dashboard/Dashboard";
import { TenantDetail } from "./pages/dashboard/TenantDetail";
import { Home } from "./pages/Home";
import { NotFound } from "./pages/NotFound";
import { Onboarding } from "./pages/onboarding/Onboarding";
import { Plans } from "./pages/Plans";
import { DocumentsSection, EntitiesSection, SearchSection, TimelineSection, UploadSection, UsageSection } from "./pages/workspace/Sections";
import { Workspace } from "./pages/workspace/Workspace";

/** Every address of the app; the server's history fallback must answer each with index.html. */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { path: "/", element: <Home /> },
      { path: "/onboarding", element: <Onboarding /> },
      { path: "/plans", element: <Plans /> },
      { path: "/dashboard", element: <Dashboard /> },
      { path: "/dashboard/tenants/:tenantId", element: <TenantDetail /> },
      {
        path: "/workspace",
        element: <Workspace />,
        children: [
          { index: true, element: <UsageSection /> },
          { path: "upload", element: <UploadSection /> },
          { path: "documents", element: <DocumentsSection /> },
          { path: "search", element: <SearchSection /> },
          { path: "timeline", element: <TimelineSection /> },
          { path: "entities", element: <EntitiesSection /> },
          { path: "entities/:entityId", element: <EntitiesSection /> },
        ],
      },
      { path: "*", element: <NotFound /> },
    ],
  },
];

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: { queries: { refetchOnWindowFocus: false, retry: 1 } },
  });
}

/** The app in the browser. */
export function App({ client = makeQueryClient() }: { client?: QueryClient }) {
  return (
    <QueryClientProvider client={client}>
      <RouterProvider router={createBrowserRouter(routes)} />
    </QueryClientProvider>
  );
}

/** The app at a given address, for tests. */
export function AppAt({ path, client = makeQueryClient() }: { path: string; client?: QueryClient }) {
  return (
    <QueryClientProvider client={client}>
      <RouterProvider router={createMemoryRouter(routes, { initialEntries: [path] })} />
    </QueryClientProvider>
  );
}
