import type { Transaction } from "kysely";
import type { IdentityDB } from "../db.ts";
import type { DirectoryRole } from "./roles.ts";

/** An organisation: every user, group, app and grant belongs to exactly one tenant. */
export interface Tenant {
  id: string;
  /** URL-safe name used in issuer URLs (`/{slug}/v2.0`). */
  slug: string;
  displayName: string;
  /** The platform's own tenant, which publishes built-in resources such as Assent Mail. */
  isSystem: boolean;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A domain the tenant has verified; users may sign in with it as the tenant reference. */
export interface TenantDomain {
  domain: string;
  tenantId: string;
  createdAt: Date;
}

/**
 * A user of a tenant as every caller sees it. The password hash is deliberately absent: only
 * `authenticate` reads it, so it cannot leak through a list, a log line or an API response.
 */
export interface User {
  id: string;
  tenantId: string;
  /** Email-shaped, stored lower-cased: user principal names compare case-insensitively. */
  userPrincipalName: string;
  displayName: string;
  enabled: boolean;
  /** Whether a password is set (a user without one cannot sign in with a password). */
  hasPassword: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Group {
  id: string;
  tenantId: string;
  /** Unique per tenant. */
  displayName: string;
  description: string | null;
  createdAt: Date;
}

export interface GroupMember {
  groupId: string;
  userId: string;
  userPrincipalName: string;
  displayName: string;
  addedAt: Date;
}

export interface DirectoryRoleAssignment {
  tenantId: string;
  userId: string;
  userPrincipalName: string;
  userDisplayName: string;
  role: DirectoryRole;
  createdAt: Date;
}

/**
 * Runs inside the transaction that creates a tenant, after its row and audit event are written;
 * throwing rolls the whole creation back. Signing-key generation plugs in here.
 */
export type TenantCreatedHook = (trx: Transaction<IdentityDB>, tenant: Tenant) => Promise<void>;
