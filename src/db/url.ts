/** `url` with its database name replaced (tests, benchmarks and the e2e setup make databases beside the given one). */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
