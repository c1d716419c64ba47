import { sql } from "kysely";
import type { Config } from "../config/index.ts";
import type { IdentityDB } from "../identity/db.ts";
import type { KeyRing } from "../platform/crypto/index.ts";
import { type Database, migrate } from "../platform/db/index.ts";
import { type CrmConnection, ensureCrmConnection } from "./crm-connection.ts";
import { ensureDemoApp } from "./demo-app.ts";
import { demoMigrations } from "./migrations/index.ts";
import { createDemoWorld, DEMO_PASSWORD } from "./world.ts";

export { DEMO_PASSWORD };

export interface DemoSeed {
  created: boolean;
  tenants: { slug: string; displayName: string; id: string }[];
  users: { upn: string; role: string }[];
  demoAppId: string;
  /** The demo app's Connect application and API key; undefined when the world was taken apart. */
  crm: CrmConnection | undefined;
}

const DEMO_USERS = [
  { upn: "admin@contoso.com", role: "Global Administrator (mail administrator)" },
  { upn: "megan@contoso.com", role: "user, Sales" },
  { upn: "lee@contoso.com", role: "user, Sales" },
  { upn: "diego@contoso.com", role: "user, Marketing" },
  { upn: "nestor@contoso.com", role: "user" },
  { upn: "dev@northwind.example", role: "publisher of Northwind CRM" },
];

/**
 * The demo world of `assent start`: created on an empty database (createDemoWorld), then on
 * every start wired to the URLs of this start — Northwind CRM's home page and redirect URI at
 * Identity, and the demo app's Connect application, API key and connector. One transaction:
 * a failed seed leaves nothing half-made. Idempotent: a second start changes nothing unless a
 * URL changed.
 */
export async function seedDemo(
  database: Database<IdentityDB>,
  keyRing: KeyRing,
  config: Config,
): Promise<DemoSeed> {
  await migrate(database.db, demoMigrations);
  return database.transaction(async (trx) => {
    const existing = await sql<{ n: number }>`
      select count(*)::int n from identity.tenants where not is_system`.execute(trx);
    const created = existing.rows[0]?.n === 0;
    if (created) await createDemoWorld(trx, keyRing, config);
    const app = await ensureDemoApp(trx, config);
    const crm = app ? await ensureCrmConnection(trx, keyRing, config, app) : undefined;
    const tenants = await trx
      .selectFrom("identity.tenants")
      .select(["id", "slug", "display_name"])
      .where("is_system", "=", false)
      .orderBy("slug")
      .execute();
    return {
      created,
      tenants: tenants.map((t) => ({ id: t.id, slug: t.slug, displayName: t.display_name })),
      users: DEMO_USERS,
      demoAppId: app?.registration.appId ?? "",
      crm,
    };
  });
}
