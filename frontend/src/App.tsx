import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createBrowserRouter, createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from "react";
import { Layout } from "./components/Layout";
import { Loading } from "./components/ErrorNotice";
import { Home } from "./pages/Home";
import { NotFound } from "./pages/NotFound";

/** A page loaded on first visit: each page is its own chunk, so the first load stays small. */
interface LazyPage {
  Lazy: LazyExoticComponent<ComponentType>;
  load: () => Promise<void>;
  loaded?: ComponentType;
}

function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K): LazyPage {
  const p: LazyPage = {
    Lazy: lazy(() => load().then((m) => ({ default: m[name] }))),
    load: () =>
      load().then((m) => {
        p.loaded = m[name];
      }),
  };
  return p;
}

const Onboarding = page(() => import("./pages/onboarding/Onboarding"), "Onboarding");
const Plans = page(() => import("./pages/Plans"), "Plans");
const Dashboard = page(() => import("./pages/dashboard/Dashboard"), "Dashboard");
const TenantDetail = page(() => import("./pages/dashboard/TenantDetail"), "TenantDetail");
const Workspace = page(() => import("./pages/workspace/Workspace"), "Workspace");
const sections = () => import("./pages/workspace/Sections");
const UsageSection = page(sections, "UsageSection");
const UploadSection = page(sections, "UploadSection");
const DocumentsSection = page(sections, "DocumentsSection");
const SearchSection = page(sections, "SearchSection");
const TimelineSection = page(sections, "TimelineSection");
const EntitiesSection = page(sections, "EntitiesSection");
const PAGES = [Onboarding, Plans, Dashboard, TenantDetail, Workspace, UsageSection, UploadSection, DocumentsSection, SearchSection, TimelineSection, EntitiesSection];

/** Load every page now (tests render pages at once, without waiting for a chunk). */
export async function preloadPages() {
  await Promise.all(PAGES.map((p) => p.load()));
}

/** A page, or what shows while its chunk loads. */
function PageAt({ page: p }: { page: LazyPage }) {
  if (p.loaded) return <p.loaded />;
  return (
    <Suspense fallback={<Loading what="the page" />}>
      <p.Lazy />
    </Suspense>
  );
}

function at(p: LazyPage) {
  return <PageAt page={p} />;
}

/** Every address of the app; the server's history fallback must answer each with index.html. */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { path: "/", element: <Home /> },
      { path: "/onboarding", element: at(Onboarding) },
      { path: "/plans", element: at(Plans) },
      { path: "/dashboard", element: at(Dashboard) },
      { path: "/dashboard/tenants/:tenantId", element: at(TenantDetail) },
      {
        path: "/workspace",
        element: at(Workspace),
        children: [
          { index: true, element: at(UsageSection) },
          { path: "upload", element: at(UploadSection) },
          { path: "documents", element: at(DocumentsSection) },
          { path: "search", element: at(SearchSection) },
          { path: "timeline", element: at(TimelineSection) },
          { path: "entities", element: at(EntitiesSection) },
          { path: "entities/:entityId", element: at(EntitiesSection) },
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
