import { MAIL_RESOURCE } from "../../src/identity/apps/index.ts";
import { evaluateConsent } from "../../src/identity/consent/index.ts";
import type { IdentityDB } from "../../src/identity/db.ts";
import { selectCacheVersions } from "../../src/identity/oauth/provider/cache-versions.ts";
import { TenantCatalog } from "../../src/identity/oauth/provider/catalog.ts";
import { consentInputCache } from "../../src/identity/oauth/provider/consent-cache.ts";
import type { Database } from "../../src/platform/db/index.ts";
import {
  APP_CLASS,
  appClassOf,
  type DecisionSize,
  idOf,
  principalGrantsOf,
  principalGrantUser,
  TENANT,
  ungrantedUser,
} from "./seed.ts";
import { percentiles, prng } from "./stats.ts";
import { explainStatement, StatementTrace } from "./trace.ts";

/**
 * Scenario 1: the consent decision as /authorize runs it (oauth/provider/grants.ts
 * `grantLoader`): the client from the tenant catalog, then `evaluateConsent` with the
 * catalog's input cache (consent-cache.ts). Measured twice over the same seeded world:
 *
 * - warm: a working set of pairs smaller than the catalog's bound (1,000 entries a kind), each
 *   decided before timing, so every input comes from memory: the decision's own cost;
 * - cold: every (user, app) pair new, so the user's memberships and grants (and, past the
 *   bound, the enterprise app) are read from the database: a first sign-in to an app.
 *
 * The per-request read of the tenant and its cache versions (one round trip, before the
 * decision) is not part of either.
 */

export type PickKind =
  | "own grant"
  | "not granted"
  | "tenant-wide grant"
  | "group grant"
  | "assigned via group"
  | "not assigned"
  | "blocked app";

export interface Pick {
  kind: PickKind;
  app: number;
  user: number;
}

// The mix of requests: most users sign in to apps they already use.
const MIX: Array<[PickKind, number]> = [
  ["own grant", 0.4],
  ["not granted", 0.2],
  ["tenant-wide grant", 0.15],
  ["group grant", 0.1],
  ["assigned via group", 0.06],
  ["not assigned", 0.04],
  ["blocked app", 0.05],
];

/** The decision each kind must get (undefined: depends on the user's roles). */
const EXPECTED: Partial<Record<PickKind, string>> = {
  "own grant": "granted",
  "tenant-wide grant": "granted",
  "group grant": "granted",
  "not assigned": "not_assigned",
  "blocked app": "app_disabled",
};

/** Deterministic picks of the mix over a seeded world. */
export function picker(size: DecisionSize, seed: number): () => Pick {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const appOf = (classes: readonly number[]) => {
    for (;;) {
      const a = int(size.apps);
      if (classes.includes(a % 20)) return a;
    }
  };
  // One sign-in in five is to the popular app (app 0, granted by half the users).
  const perUserApp = () => {
    if (random() < 0.2) return 0;
    for (;;) {
      const a = int(size.apps);
      if (appClassOf(a) === "perUser") return a;
    }
  };
  const inGroup = (group: number) =>
    group + size.groups * int(Math.floor((size.users - 1 - group) / size.groups) + 1);
  return () => {
    let r = random();
    let kind: PickKind = "own grant";
    for (const [k, w] of MIX) {
      kind = k;
      if (r < w) break;
      r -= w;
    }
    switch (kind) {
      case "own grant": {
        const app = perUserApp();
        return {
          kind,
          app,
          user: principalGrantUser(size, app, int(principalGrantsOf(size, app))),
        };
      }
      case "not granted": {
        const app = perUserApp();
        return { kind, app, user: ungrantedUser(size, app, int(principalGrantsOf(size, app))) };
      }
      case "tenant-wide grant":
        return { kind, app: appOf(APP_CLASS.tenantWide), user: int(size.users) };
      case "group grant": {
        const app = appOf(APP_CLASS.groupGrant);
        return { kind, app, user: inGroup(app % size.groups) };
      }
      case "assigned via group": {
        const app = appOf(APP_CLASS.assignmentRequired);
        return { kind, app, user: inGroup(app % size.groups) };
      }
      case "not assigned": {
        const app = appOf(APP_CLASS.assignmentRequired);
        const group = (app + 1) % size.groups;
        return { kind, app, user: inGroup(group) };
      }
      default:
        return { kind, app: appOf(APP_CLASS.blocked), user: int(size.users) };
    }
  };
}

/** One decision as the authorize endpoint makes it; returns the decision's kind. */
async function decide(db: Database<IdentityDB>["db"], catalog: TenantCatalog, pick: Pick) {
  const client = await catalog.apps.client(idOf("appId", pick.app));
  if (!client) throw new Error(`app ${pick.app} is not in the catalog`);
  const { decision } = await evaluateConsent(
    db,
    {
      tenantId: TENANT,
      application: client.application,
      userId: idOf("user", pick.user),
      oidcScopes: ["openid", "profile", "offline_access"],
      resource: { identifierUri: MAIL_RESOURCE.identifierUri, scopes: ["Mail.Read"] },
    },
    new Date(),
    consentInputCache(catalog),
  );
  return decision.kind;
}

export interface DecisionRun {
  samples: number[];
  seconds: number;
  kinds: Map<string, number>;
}

async function run(
  database: Database<IdentityDB>,
  catalog: TenantCatalog,
  picks: readonly Pick[],
): Promise<DecisionRun> {
  const samples: number[] = [];
  const kinds = new Map<string, number>();
  const started = performance.now();
  for (const pick of picks) {
    const t0 = performance.now();
    const kind = await decide(database.db, catalog, pick);
    samples.push(performance.now() - t0);
    const expected = EXPECTED[pick.kind];
    if (expected && kind !== expected)
      throw new Error(
        `"${pick.kind}" (app ${pick.app}, user ${pick.user}) got ${kind}, not ${expected}`,
      );
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return { samples, seconds: (performance.now() - started) / 1000, kinds };
}

async function freshCatalog(database: Database<IdentityDB>): Promise<TenantCatalog> {
  const versions = await selectCacheVersions(database.db, TENANT);
  return new TenantCatalog(database.db, TENANT, versions, (appId) => `bench-${appId}`);
}

export interface DecisionResults {
  warm: DecisionRun;
  cold: DecisionRun;
  /** Statements a cold decision sends, on average (an untimed traced run). */
  coldRoundTrips: number;
  /** The popular app's grant lookup under EXPLAIN ANALYZE (PostgreSQL's own time, indexes). */
  popularGrants: { ms: number; indexes: string[]; sequentialScans: number } | undefined;
}

/** Runs the warm and the cold measurement; `counts` sets how many decisions each times. */
export async function measureDecisions(
  database: Database<IdentityDB>,
  size: DecisionSize,
  counts: { warm: number; cold: number; workingSet: number },
  log: (line: string) => void,
): Promise<DecisionResults> {
  // Warm-up of the code paths and the pool, untimed, on pairs neither run uses.
  const warmUp = picker(size, 7);
  await run(database, await freshCatalog(database), Array.from({ length: 300 }, warmUp));

  const coldPick = picker(size, 11);
  const cold = await run(
    database,
    await freshCatalog(database),
    Array.from({ length: counts.cold }, coldPick),
  );
  log(`  cold: ${counts.cold.toLocaleString("en")} decisions in ${cold.seconds.toFixed(1)} s`);

  const setPick = picker(size, 13);
  const workingSet = Array.from({ length: counts.workingSet }, setPick);
  const catalog = await freshCatalog(database);
  await run(database, catalog, workingSet);
  const random = prng(17);
  const warmPicks = Array.from(
    { length: counts.warm },
    () => workingSet[Math.floor(random() * workingSet.length)] as Pick,
  );
  const warm = await run(database, catalog, warmPicks);
  log(`  warm: ${counts.warm.toLocaleString("en")} decisions in ${warm.seconds.toFixed(1)} s`);

  // Untimed: round trips of cold decisions, and the popular app's grant lookup explained.
  const trace = new StatementTrace();
  const traced = { ...database, db: database.db.withPlugin(trace) };
  const tracedPicks = Array.from({ length: 200 }, picker(size, 19));
  await run(traced, await freshCatalog(traced), tracedPicks);
  const coldRoundTrips = trace.statements.length / tracedPicks.length;
  trace.statements.length = 0;
  const popular: Pick = { kind: "own grant", app: 0, user: principalGrantUser(size, 0, 1) };
  await run(traced, await freshCatalog(traced), [popular]);
  const sp = idOf("servicePrincipal", 0);
  const lookup = trace.statements.find(
    (s) => s.sql.includes('"identity"."oauth2_permission_grants"') && s.parameters.includes(sp),
  );
  const popularGrants = lookup ? await explainStatement(database.db, lookup) : undefined;
  return { warm, cold, coldRoundTrips, popularGrants };
}

/** "granted 70%, approval_required 18%, …" */
export function describeKinds(kinds: Map<string, number>): string {
  const total = [...kinds.values()].reduce((a, b) => a + b, 0);
  return [...kinds.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${Math.round((100 * n) / total)}%`)
    .join(", ");
}

export { percentiles };
