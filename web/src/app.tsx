import { lazy, type ReactNode, Suspense } from "react";
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from "react-router";
import { SessionProvider, useSession } from "./auth/session";
import { NotFound, PageLoading } from "./components/page-state";
import { RequirePermission } from "./components/require-permission";
import { AppLayout } from "./layout/app-layout";
import LoginPage from "./pages/login/login-page";

// Route-level code splitting: each page is its own chunk, so the sign-in screen loads neither
// ECharts nor the tables; the map page alone pulls in ECharts and the county boundaries.
const MapPage = lazy(() => import("./pages/map/map-page"));
const CountyPage = lazy(() => import("./pages/county/county-page"));
const OrgTreePage = lazy(() => import("./pages/registry/org-tree-page"));
const SchoolListPage = lazy(() => import("./pages/registry/school-list-page"));
const SchoolPage = lazy(() => import("./pages/registry/school-page"));
const StudentSearchPage = lazy(() => import("./pages/people/student-search-page"));
const StaffSearchPage = lazy(() => import("./pages/people/staff-search-page"));
const ImportPage = lazy(() => import("./pages/imports/import-page"));
const UsersPage = lazy(() => import("./pages/admin/users-page"));
const RolesPage = lazy(() => import("./pages/admin/roles-page"));
const TokensPage = lazy(() => import("./pages/admin/tokens-page"));
const AuditPage = lazy(() => import("./pages/admin/audit-page"));
const CockpitPage = lazy(() => import("./pages/cockpit/cockpit-page"));
const CockpitIndicatorPage = lazy(() => import("./pages/cockpit/indicator-page"));
const CockpitUnitPage = lazy(() => import("./pages/cockpit/unit-page"));
const MyopiaPage = lazy(() => import("./pages/health/myopia-page"));
const FormEntryPage = lazy(() => import("./pages/forms/entry-page"));
const FormProgressPage = lazy(() => import("./pages/forms/progress-page"));
const FormReviewPage = lazy(() => import("./pages/forms/review-page"));
const FormDefinitionsPage = lazy(() => import("./pages/forms/definitions-page"));
const IndicatorsPage = lazy(() => import("./pages/indicators/indicators-page"));
// 监督举报 (public pages need no sign-in) and 校外培训
const PublicReportPage = lazy(() => import("./pages/public/report-page"));
const PublicFollowPage = lazy(() => import("./pages/public/follow-page"));
const ReportsPage = lazy(() => import("./pages/reports/reports-page"));
const ReportCasePage = lazy(() => import("./pages/reports/case-view"));
const TrainingInstitutionsPage = lazy(() => import("./pages/training/institutions-page"));
const TrainingInstitutionPage = lazy(() => import("./pages/training/institution-page"));
const publicPage = (page: ReactNode) => <Suspense fallback={<PageLoading />}>{page}</Suspense>;
// cases: inbox, 隐患, 平安校园, 督导
const InboxPage = lazy(() => import("./pages/cases/inbox-page"));
const HazardsPage = lazy(() => import("./pages/cases/hazards-page"));
const CasePage = lazy(() => import("./pages/cases/case-page"));
const SafetyPage = lazy(() => import("./pages/cases/safety-page"));
const SupervisionPage = lazy(() => import("./pages/cases/supervision-page"));
const PlanPage = lazy(() => import("./pages/cases/supervision-page").then((m) => ({ default: m.PlanPage })));

/** A page behind a permission (the menu hides it too; the server refuses the API calls anyway). */
const guarded = (permission: string, page: ReactNode) => (
  <RequirePermission permission={permission}>{page}</RequirePermission>
);

/** The bureau leader's morning screen is the cockpit: leaders land there. */
function LeaderHome({ children }: { children: ReactNode }) {
  const { user, can } = useSession();
  if (user?.roles.includes("leader") && can("indicators.read")) return <Navigate to="/cockpit" replace />;
  return <>{children}</>;
}

/** Signed-in routes: wait for the start-up "who am I", then either the layout or the sign-in page. */
function RequireSession() {
  const { user } = useSession();
  const location = useLocation();
  if (user === undefined) return <PageLoading />;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <Outlet />;
}

/**
 * The sign-in page and the signed-in pages share one session. The public report pages are outside
 * it: they never ask who is signed in, so a staff member's browser files a report like anyone's.
 */
function WithSession() {
  return (
    <SessionProvider>
      <Outlet />
    </SessionProvider>
  );
}

const router = createBrowserRouter([
  { path: "/public/report", element: publicPage(<PublicReportPage />) },
  { path: "/public/follow", element: publicPage(<PublicFollowPage />) },
  {
    element: <WithSession />,
    children: [
      { path: "/login", element: <LoginPage /> },
      {
        element: <RequireSession />,
        children: [
          {
            element: <AppLayout />,
            children: [
              {
                index: true,
                element: (
                  <LeaderHome>
                    <RequirePermission permission="registry.read">
                      <MapPage />
                    </RequirePermission>
                  </LeaderHome>
                ),
              },
              { path: "cockpit", element: guarded("indicators.read", <CockpitPage />) },
              {
                path: "cockpit/indicators/:code",
                element: guarded("indicators.read", <CockpitIndicatorPage />),
              },
              { path: "cockpit/units/:code", element: guarded("indicators.read", <CockpitUnitPage />) },
              { path: "health", element: guarded("health.read", <MyopiaPage />) },
              {
                path: "counties/:code",
                element: (
                  <RequirePermission permission="registry.read">
                    <CountyPage />
                  </RequirePermission>
                ),
              },
              { path: "org", element: guarded("registry.read", <OrgTreePage />) },
              { path: "schools", element: guarded("registry.read", <SchoolListPage />) },
              { path: "schools/:code", element: guarded("registry.read", <SchoolPage />) },
              { path: "students", element: guarded("people.read", <StudentSearchPage />) },
              { path: "staff", element: guarded("people.read", <StaffSearchPage />) },
              { path: "imports", element: guarded("exchange.import", <ImportPage />) },
              { path: "admin/users", element: guarded("users.manage", <UsersPage />) },
              { path: "admin/roles", element: guarded("users.manage", <RolesPage />) },
              { path: "admin/tokens", element: guarded("tokens.manage", <TokensPage />) },
              { path: "admin/audit", element: guarded("audit.read", <AuditPage />) },
              { path: "forms/entry", element: guarded("forms.read", <FormEntryPage />) },
              { path: "forms/progress", element: guarded("forms.read", <FormProgressPage />) },
              { path: "forms/review", element: guarded("forms.approve", <FormReviewPage />) },
              { path: "forms/definitions", element: guarded("forms.define", <FormDefinitionsPage />) },
              { path: "indicators", element: guarded("indicators.manage", <IndicatorsPage />) },
              { path: "reports", element: guarded("ethics.read", <ReportsPage />) },
              { path: "reports/:id", element: guarded("reports.handle", <ReportCasePage />) },
              { path: "training", element: guarded("training.read", <TrainingInstitutionsPage />) },
              {
                path: "training/institutions/:id",
                element: guarded("training.read", <TrainingInstitutionPage />),
              },
              { path: "training/cases/:id", element: guarded("training.read", <ReportCasePage />) },
              { path: "inbox", element: <InboxPage /> },
              { path: "cases/:id", element: <CasePage /> },
              { path: "hazards", element: guarded("hazard.read", <HazardsPage />) },
              { path: "safety", element: guarded("hazard.read", <SafetyPage />) },
              { path: "supervision", element: <SupervisionPage /> },
              { path: "supervision/findings", element: <SupervisionPage /> },
              { path: "supervision/plans/:id", element: <PlanPage /> },
              { path: "*", element: <NotFound /> },
            ],
          },
        ],
      },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
