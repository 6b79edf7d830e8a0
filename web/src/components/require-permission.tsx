import type { ReactNode } from "react";
import { useSession } from "../auth/session";
import { Forbidden } from "./page-state";

/** Renders children only when the user holds `permission`; otherwise the 403 page. */
export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const { can } = useSession();
  return can(permission) ? children : <Forbidden />;
}
