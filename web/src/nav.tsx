import {
  AlertOutlined,
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  BankOutlined,
  CloudUploadOutlined,
  DashboardOutlined,
  EyeOutlined,
  FileDoneOutlined,
  FileSearchOutlined,
  FormOutlined,
  FunctionOutlined,
  GlobalOutlined,
  IdcardOutlined,
  InboxOutlined,
  PieChartOutlined,
  ProfileOutlined,
  SafetyCertificateOutlined,
  SafetyOutlined,
  ShopOutlined,
  TeamOutlined,
  UserSwitchOutlined,
} from "@ant-design/icons";
import type { ReactNode } from "react";
import type { MessageKey } from "./i18n/dict";

/**
 * The menu, by capability: an item shows only when the user's roles grant its permission (the
 * server refuses the API calls anyway; hiding the item keeps the menu honest about what works).
 */
export interface NavItem {
  path: string;
  label: MessageKey;
  icon: ReactNode;
  permission: string;
  /** Shown also to holders of any of these (e.g. the inbox: every kind of case worker). */
  anyOf?: string[];
}

export const navItems: NavItem[] = [
  { path: "/cockpit", label: "nav.cockpit", icon: <DashboardOutlined />, permission: "indicators.read" },
  { path: "/", label: "nav.map", icon: <GlobalOutlined />, permission: "registry.read" },
  { path: "/org", label: "nav.org", icon: <ApartmentOutlined />, permission: "registry.read" },
  { path: "/schools", label: "nav.schools", icon: <BankOutlined />, permission: "registry.read" },
  { path: "/students", label: "nav.students", icon: <TeamOutlined />, permission: "people.read" },
  { path: "/staff", label: "nav.staff", icon: <IdcardOutlined />, permission: "people.read" },
  { path: "/health", label: "nav.health", icon: <EyeOutlined />, permission: "health.read" },
  // cases (src/modules/cases): everyone with a cases permission gets the inbox
  {
    path: "/inbox",
    label: "nav.inbox",
    icon: <InboxOutlined />,
    permission: "hazard.read",
    anyOf: ["hazard.report", "supervision.read", "supervision.inspect"],
  },
  { path: "/hazards", label: "nav.hazards", icon: <AlertOutlined />, permission: "hazard.read" },
  { path: "/safety", label: "nav.safety", icon: <SafetyOutlined />, permission: "hazard.read" },
  {
    path: "/supervision",
    label: "nav.supervision",
    icon: <FileSearchOutlined />,
    permission: "supervision.read",
    anyOf: ["supervision.inspect"],
  },
  { path: "/imports", label: "nav.imports", icon: <CloudUploadOutlined />, permission: "exchange.import" },
  // data collection (src/modules/forms)
  { path: "/forms/entry", label: "nav.formEntry", icon: <FormOutlined />, permission: "forms.fill" },
  {
    path: "/forms/progress",
    label: "nav.formProgress",
    icon: <PieChartOutlined />,
    permission: "forms.read",
  },
  { path: "/forms/review", label: "nav.formReview", icon: <FileDoneOutlined />, permission: "forms.approve" },
  {
    path: "/forms/definitions",
    label: "nav.formDefinitions",
    icon: <ProfileOutlined />,
    permission: "forms.define",
  },
  // indicators and targets of the cockpit (src/modules/indicators): defined by city staff
  {
    path: "/indicators",
    label: "nav.indicators",
    icon: <FunctionOutlined />,
    permission: "indicators.manage",
  },
  { path: "/reports", label: "nav.reports", icon: <AlertOutlined />, permission: "ethics.read" },
  { path: "/training", label: "nav.training", icon: <ShopOutlined />, permission: "training.read" },
  { path: "/admin/users", label: "nav.users", icon: <UserSwitchOutlined />, permission: "users.manage" },
  {
    path: "/admin/roles",
    label: "nav.roles",
    icon: <SafetyCertificateOutlined />,
    permission: "users.manage",
  },
  { path: "/admin/tokens", label: "nav.tokens", icon: <ApiOutlined />, permission: "tokens.manage" },
  { path: "/admin/audit", label: "nav.audit", icon: <AuditOutlined />, permission: "audit.read" },
];
