import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { type ApiData, api, call, onSessionExpired, setCsrfToken } from "../api/client";

export type SignedInUser = NonNullable<ApiData<"/api/auth/me", "get">["user"]>;

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
  /** Reads the signed-in user again (after a password change, say). */
  refresh(): Promise<void>;
  /** Whether the user's roles grant a permission (src/modules/access/permissions.ts). */
  can(permission: string): boolean;
}

const SessionContext = createContext<Session | null>(null);

// Remembers that this browser had a session, so that a start-up "nobody" can say "your session
// ended" rather than show a bare sign-in page. Holds no secret: the session itself is an HttpOnly cookie.
const HAD_SESSION = "edu.hadSession";
const remember = (on: boolean) => {
  try {
    if (on) localStorage.setItem(HAD_SESSION, "1");
    else localStorage.removeItem(HAD_SESSION);
  } catch {
    // storage unavailable: only the notice is lost
  }
};
const hadSession = () => {
  try {
    return localStorage.getItem(HAD_SESSION) === "1";
  } catch {
    return false;
  }
};

/**
 * The sign-in state of the sign-in page and the signed-in pages (app.tsx mounts it around those
 * routes only: the public report pages never ask who is signed in). At start-up it asks
 * /api/auth/me, which answers user null, not 401, when nobody is signed in.
 */
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
        if (!me.user && hadSession()) {
          setNotice({ kind: "expired" });
          remember(false);
        }
        setUser(me.user);
      })
      .catch(() => {
        if (live) setUser(null);
      });
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
      remember(false);
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
      remember(true);
      setUser(res.user);
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    await call(api.POST("/api/auth/logout")).catch(() => undefined);
    setCsrfToken(null);
    queryClient.clear();
    setNotice({ kind: "signedOut" });
    remember(false);
    setUser(null);
  }, [queryClient]);

  const refresh = useCallback(async () => {
    const me = await call(api.GET("/api/auth/me"));
    setCsrfToken(me.csrfToken);
    if (!me.user) {
      // the session ended meanwhile (signed out elsewhere, disabled)
      setNotice({ kind: "expired" });
      remember(false);
      queryClient.clear();
    }
    setUser(me.user);
  }, [queryClient]);

  const value = useMemo<Session>(() => {
    const perms = new Set(user?.permissions ?? []);
    return { user, notice, signIn, signOut, refresh, can: (p) => perms.has(p) };
  }, [user, notice, signIn, signOut, refresh]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const v = useContext(SessionContext);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}
