import { GlobalOutlined } from "@ant-design/icons";
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
}

export const navItems: NavItem[] = [
  { path: "/", label: "nav.map", icon: <GlobalOutlined />, permission: "registry.read" },
];
