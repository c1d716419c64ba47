import pg from "pg";

/** The PostgreSQL server benchmarks make scratch databases on (as the tests find theirs). */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_DATABASE_URL ??
  process.env.DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

/** True when PostgreSQL answers; else benchmarks fall back to embedded PGlite. */
export async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
