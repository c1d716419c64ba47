import { type Kysely, sql } from "kysely";
import type { IdentityDB } from "../db.ts";
import { PORTAL_APP, portalRedirectUri } from "./portal-app.ts";

/**
 * Makes the portal's redirect URI the one under this node's public URL. The public URL is
 * configuration, known only when the service starts, so the migration registers the app with
 * none and this writes the exact URI (matching stays exact: oidc-provider compares strings).
 * Written only when it differs, so restarts do not invalidate the OAuth caches (the table's
 * triggers bump their versions on any write); nodes sharing a database share a public URL.
 */
export async function registerPortalRedirectUri(
  db: Kysely<IdentityDB>,
  publicUrl: string,
): Promise<void> {
  const wanted = JSON.stringify([portalRedirectUri(publicUrl)]);
  await sql`
    update identity.applications set redirect_uris = ${wanted}::jsonb, updated_at = now()
    where id = ${PORTAL_APP.applicationId} and redirect_uris <> ${wanted}::jsonb`.execute(db);
}
