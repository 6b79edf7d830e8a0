import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { type ApiData, api, call, onSessionExpired, setCsrfToken } from "../api/client";

export type SignedInUser = ApiData<"/api/auth/me", "get">["user"];

/** Why the sign-in page is shown: the session expired, or the user signed out. */
export interface SignInNotice {
  kind: "expired" | "signedOut";
  message?: string;
}

interface Session {
  /** undefined while the start-up "who am I" request runs. */
  user: SignedInUser | null | undefined;
  notice: SignInNotice | null;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Whether the user's roles grant a permission (src/modules/access/permissions.ts). */
  can(permission: string): boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [user, setUser] = useState<SignedInUser | null | undefined>(undefined);
  const [notice, setNotice] = useState<SignInNotice | null>(null);

  useEffect(() => {
    let live = true;
    call(api.GET("/api/auth/me"))
      .then((me) => {
        if (!live) return;
        setCsrfToken(me.csrfToken);
        setUser(me.user);
      })
      .catch(() => live && setUser(null));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    onSessionExpired((message) => {
      setCsrfToken(null);
      setUser((current) => {
        if (current) setNotice({ kind: "expired", message });
        return null;
      });
      queryClient.clear();
    });
    return () => onSessionExpired(null);
  }, [queryClient]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const res = await call(api.POST("/api/auth/login", { body: { username, password } }));
      setCsrfToken(res.csrfToken);
      queryClient.clear();
      setNotice(null);
      setUser(res.user);
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    await call(api.POST("/api/auth/logout")).catch(() => undefined);
    setCsrfToken(null);
    queryClient.clear();
    setNotice({ kind: "signedOut" });
    setUser(null);
  }, [queryClient]);

  const value = useMemo<Session>(() => {
    const perms = new Set(user?.permissions ?? []);
    return { user, notice, signIn, signOut, can: (p) => perms.has(p) };
  }, [user, notice, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const v = useContext(SessionContext);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}
