/**
 * A counter bumped after every committed write to accounts, roles, scopes, sessions or tokens made
 * by this process. The session cache of AuthService remembers who is behind a cookie for a moment;
 * when the counter moves, it forgets everything, so a sign-out, a disabled account or a changed role
 * takes effect on the very next request. Writes by another process (the CLI) take effect within
 * the cache's time to live (SESSION_CACHE_MS in auth-service.ts).
 */
class AccessEpoch {
  private n = 0;
  get value() {
    return this.n;
  }
  bump() {
    this.n++;
  }
}

export const accessEpoch = new AccessEpoch();

/** Runs a write transaction and bumps the epoch once it has committed. */
export async function afterCommit<T>(run: Promise<T>): Promise<T> {
  const result = await run;
  accessEpoch.bump();
  return result;
}
