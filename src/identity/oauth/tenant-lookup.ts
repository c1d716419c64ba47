import type { Kysely } from "kysely";
import type { IdentityDB } from "../db.ts";
import { resolveTenant, type Tenant } from "../directory/index.ts";

/**
 * The enabled tenant a URL's `{tenant}` segment names (id, slug or verified domain), as Entra
 * accepts all three; a disabled tenant is as unknown as a missing one (AADSTS90002).
 */
export async function lookupTenant(
  db: Kysely<IdentityDB>,
  ref: string,
): Promise<Tenant | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(ref);
  } catch {
    return undefined;
  }
  if (decoded.length === 0 || decoded.length > 255) return undefined;
  const tenant = await resolveTenant(db, decoded);
  return tenant?.enabled ? tenant : undefined;
}
