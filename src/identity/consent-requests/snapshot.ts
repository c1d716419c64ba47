import type { Kysely } from "kysely";
import { type Application, findApplicationById, findApplicationsByIds } from "../apps/index.ts";
import type { IdentityDB } from "../db.ts";
import { type RequestRow, selectRequest } from "./request-queries.ts";
import { type RequesterRow, selectRequesters } from "./requester-queries.ts";
import { mergeResourceScopes } from "./scopes.ts";
import type { StoredResourceScopes } from "./tables.ts";
import type { ConsentRequestApp, ResourceScopes } from "./types.ts";

/** A request with what every view, email and webhook of it shows. */
export interface RequestSnapshot {
  request: RequestRow;
  app: ConsentRequestApp;
  /** Every requester, withdrawn ones included. */
  requesters: RequesterRow[];
  /** What the active requesters asked, merged, by resource object id. */
  asked: StoredResourceScopes[];
  /** The same, named for people. */
  scopes: ResourceScopes[];
}

export function appSummary(app: Application): ConsentRequestApp {
  return {
    id: app.id,
    appId: app.appId,
    displayName: app.displayName,
    publisherName: app.publisherDisplayName,
    publisherVerified: app.publisherVerified,
    homepageUrl: app.homepageUrl,
    logoUrl: app.logoUrl,
  };
}

/** Scopes by resource object id → by resource app id, with the resource's name. */
export async function nameScopes(
  db: Kysely<IdentityDB>,
  stored: readonly StoredResourceScopes[],
): Promise<ResourceScopes[]> {
  const named: ResourceScopes[] = [];
  for (const part of stored) {
    const resource = await findApplicationById(db, part.resourceApplicationId);
    named.push({
      resourceAppId: resource?.appId ?? part.resourceApplicationId,
      resourceDisplayName: resource?.displayName ?? "Unknown resource",
      scopes: [...part.scopes],
    });
  }
  return named;
}

/** Active (not withdrawn) requesters. */
export function activeRequesters(snapshot: Pick<RequestSnapshot, "requesters">): RequesterRow[] {
  return snapshot.requesters.filter((r) => r.withdrawnAt === null);
}

/** The request with its app, requesters and merged scopes; undefined if not in the tenant. */
export async function loadRequestSnapshot(
  db: Kysely<IdentityDB>,
  tenantId: string,
  requestId: string,
  options: { forUpdate?: boolean } = {},
): Promise<RequestSnapshot | undefined> {
  const request = await selectRequest(db, tenantId, requestId, options);
  if (!request) return undefined;
  return snapshotOf(db, request);
}

export async function snapshotOf(
  db: Kysely<IdentityDB>,
  request: RequestRow,
): Promise<RequestSnapshot> {
  const [snapshot] = await snapshotsOf(db, [request]);
  if (!snapshot) throw new Error(`consent request ${request.id} has no snapshot`);
  return snapshot;
}

/** A request as a listing shows it: no requesters, their asks merged (`selectListedRequests`). */
export type ListedSnapshot = Omit<RequestSnapshot, "requesters">;

/** Snapshots of several requests (one tenant), with one query for all their requesters. */
export async function snapshotsOf(
  db: Kysely<IdentityDB>,
  requests: readonly RequestRow[],
): Promise<RequestSnapshot[]> {
  const [first] = requests;
  if (!first) return [];
  const all = await selectRequesters(
    db,
    first.tenantId,
    requests.map((r) => r.id),
  );
  const merged = requests.map((request) => {
    const requesters = all.filter((r) => r.requestId === request.id);
    const active = requesters.filter((r) => r.withdrawnAt === null);
    // A withdrawn request keeps showing what was asked.
    const asked = mergeResourceScopes(
      ...(active.length > 0 ? active : requesters).map((r) => r.scopes),
    );
    return { request, asked, requesters };
  });
  const named = await namedSnapshots(db, merged);
  return named.map((snapshot, i) => ({ ...snapshot, requesters: merged[i]?.requesters ?? [] }));
}

/** The listing's snapshots: the asks came merged from SQL; one query for every app. */
export async function listedSnapshotsOf(
  db: Kysely<IdentityDB>,
  listed: ReadonlyArray<{ request: RequestRow; asked: StoredResourceScopes[] }>,
): Promise<ListedSnapshot[]> {
  return namedSnapshots(db, listed);
}

/** Adds each request's client app and names the resources of its asks. */
async function namedSnapshots(
  db: Kysely<IdentityDB>,
  items: ReadonlyArray<{ request: RequestRow; asked: StoredResourceScopes[] }>,
): Promise<ListedSnapshot[]> {
  if (items.length === 0) return [];
  // Every client and resource app of the page in one query (a listing shows 25 requests).
  const apps: Map<string, Application | undefined> = await findApplicationsByIds(db, [
    ...items.map((i) => i.request.clientApplicationId),
    ...items.flatMap((i) => i.asked.map((part) => part.resourceApplicationId)),
  ]);
  const appOf = async (id: string) => {
    if (!apps.has(id)) apps.set(id, await findApplicationById(db, id));
    return apps.get(id);
  };
  const snapshots: ListedSnapshot[] = [];
  for (const { request, asked } of items) {
    const app = await appOf(request.clientApplicationId);
    if (!app) throw new Error(`the application of consent request ${request.id} vanished`);
    const scopes: ResourceScopes[] = [];
    for (const part of asked) {
      const resource = await appOf(part.resourceApplicationId);
      scopes.push({
        resourceAppId: resource?.appId ?? part.resourceApplicationId,
        resourceDisplayName: resource?.displayName ?? "Unknown resource",
        scopes: [...part.scopes],
      });
    }
    snapshots.push({ request, app: appSummary(app), asked, scopes });
  }
  return snapshots;
}
