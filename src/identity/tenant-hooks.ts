import type { KeyRing } from "../platform/crypto/index.ts";
import type { TenantCreatedHook } from "./directory/index.ts";
import { signingKeysOnTenantCreated } from "./keys/index.ts";

/**
 * What every new tenant gets, in the transaction that creates it. The server and the CLI both
 * take their hooks from here, so a tenant comes out the same whichever made it.
 */
export function tenantCreationHooks(keyRing: KeyRing): TenantCreatedHook[] {
  return [signingKeysOnTenantCreated(keyRing)];
}
