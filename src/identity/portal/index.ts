import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { registerPortalRedirectUri } from "./register-client.ts";
import { portalStaticRoutes } from "./static-files.ts";

/**
 * The admin portal (web/portal): a React SPA signing in with the tenant's own issuer as the
 * first-party client Assent Portal, and calling the admin REST API with the token it gets.
 */
export { PORTAL_APP, PORTAL_CALLBACK_PATH, portalRedirectUri } from "./portal-app.ts";
export { PORTAL_CSP } from "./static-files.ts";

/** Where `npm run build:portal` writes the portal. */
export const PORTAL_DIST_DIR = fileURLToPath(new URL("../../../web/portal/dist", import.meta.url));

/**
 * Registers the portal's redirect URI for this public URL and serves the built SPA.
 *
 * @example
 * await registerPortal(app, { db, publicUrl: "https://id.example.com" });
 */
export async function registerPortal(
  app: FastifyInstance,
  deps: { db: Kysely<IdentityDB>; publicUrl: string; distDir?: string },
): Promise<void> {
  await registerPortalRedirectUri(deps.db, deps.publicUrl);
  await app.register(portalStaticRoutes, { distDir: deps.distDir ?? PORTAL_DIST_DIR });
}
