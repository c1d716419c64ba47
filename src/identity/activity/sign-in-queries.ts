import { type ExpressionBuilder, type Kysely, type Selectable, sql } from "kysely";
import { isUuid } from "../../platform/ids.ts";
import type { IdentityDB } from "../db.ts";
import type { Keyset } from "./cursor.ts";
import type { SignInRow } from "./sign-in-event.ts";
import type { SignInEventsTable, SignInStatus } from "./tables.ts";

export type SignInRecord = Selectable<SignInEventsTable>;

/** The filters of the sign-in log (Entra's "Add filters"); all optional, combined with AND. */
export interface SignInFilter {
  /** Inclusive. */
  from?: Date | undefined;
  /** Inclusive. */
  to?: Date | undefined;
  /** A user id (exact), or a UPN prefix ("ada@", "ada@contoso.com"), case-insensitive. */
  user?: string | undefined;
  appId?: string | undefined;
  status?: SignInStatus | undefined;
  errorCode?: number | undefined;
  requestId?: string | undefined;
  correlationId?: string | undefined;
  ipAddress?: string | undefined;
}

/** LIKE pattern for "starts with", with the pattern's own metacharacters escaped. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// The columns the recorder writes (every column but the generated id), in one place.
const ROW_COLUMNS = sql.raw(
  [
    "tenant_id",
    "created_at",
    "request_id",
    "correlation_id",
    "event_type",
    "is_interactive",
    "user_id",
    "user_principal_name",
    "user_display_name",
    "service_principal_id",
    "service_principal_name",
    "app_id",
    "app_display_name",
    "resource_id",
    "resource_display_name",
    "ip_address",
    "user_agent",
    "client_app_used",
    "status",
    "error_code",
    "failure_reason",
    "additional_details",
  ].join(", "),
);

/**
 * The rows as one JSON array; additional_details is already JSON text and goes in as is. Null
 * columns are left out (json_populate_recordset reads a missing key as null): a service
 * principal's row is a third shorter, for this process to write and the database to parse.
 */
function rowsAsJson(rows: SignInRow[]): string {
  const items = rows.map((row) => {
    let item = `{"additional_details":${row.additional_details}`;
    for (const key in row) {
      const value = row[key as keyof SignInRow];
      if (value !== null && key !== "additional_details")
        item += `,"${key}":${JSON.stringify(value)}`;
    }
    return `${item}}`;
  });
  return `[${items.join(",")}]`;
}

/**
 * Appends rows in one INSERT whose single parameter is a JSON array expanded by
 * json_populate_recordset: about 1.5x the rows per second of a multi-row VALUES list with 22
 * parameters a row (measured, bench/activity.ts), and no parameter-count limit on the batch.
 */
export async function insertSignInRows(db: Kysely<IdentityDB>, rows: SignInRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into identity.sign_in_events (${ROW_COLUMNS})
    select ${ROW_COLUMNS}
    from json_populate_recordset(null::identity.sign_in_events, ${rowsAsJson(rows)}::json)`.execute(
    db,
  );
}

function filterConditions(
  eb: ExpressionBuilder<IdentityDB, "identity.sign_in_events">,
  tenantId: string,
  f: SignInFilter,
) {
  const and = [eb("tenant_id", "=", tenantId)];
  if (f.from) and.push(eb("created_at", ">=", f.from));
  if (f.to) and.push(eb("created_at", "<=", f.to));
  if (f.user !== undefined) {
    const user = f.user.trim().toLowerCase();
    and.push(
      isUuid(user)
        ? eb("user_id", "=", user)
        : eb("user_principal_name", "like", prefixPattern(user)),
    );
  }
  if (f.appId !== undefined) and.push(eb("app_id", "=", f.appId));
  if (f.status !== undefined) and.push(eb("status", "=", f.status));
  if (f.errorCode !== undefined) and.push(eb("error_code", "=", f.errorCode));
  if (f.requestId !== undefined) and.push(eb("request_id", "=", f.requestId));
  if (f.correlationId !== undefined) and.push(eb("correlation_id", "=", f.correlationId));
  if (f.ipAddress !== undefined) and.push(eb("ip_address", "=", f.ipAddress));
  return eb.and(and);
}

/**
 * The tenant's events matching the filter, newest first, as a query without a limit: the
 * list adds keyset and limit, the PostgreSQL export declares a cursor over it.
 */
export function signInQuery(
  db: Kysely<IdentityDB>,
  tenantId: string,
  filter: SignInFilter,
  after?: Keyset,
) {
  return db
    .selectFrom("identity.sign_in_events")
    .selectAll()
    .where((eb) => filterConditions(eb, tenantId, filter))
    .$if(after !== undefined, (q) =>
      q
        .where((eb) =>
          eb(eb.refTuple("created_at", "id"), "<", eb.tuple(after!.at, after!.id as string)),
        )
        // Implied by the row comparison, but only this form lets the planner skip the monthly
        // partitions newer than the cursor.
        .where("created_at", "<=", after!.at),
    )
    .orderBy("created_at", "desc")
    .orderBy("id", "desc");
}

export async function selectSignInById(
  db: Kysely<IdentityDB>,
  tenantId: string,
  id: string,
): Promise<SignInRecord | undefined> {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("identity.sign_in_events")
    .selectAll()
    .where("tenant_id", "=", tenantId)
    .where("id", "=", id.toLowerCase())
    .executeTakeFirst();
}

/**
 * Deletes every row older than its tenant's retention (a tenant without settings keeps
 * `defaultRetentionDays`). `minRetentionDays`, the shortest retention of any tenant, bounds
 * created_at by a constant too, so partitions wholly inside every retention are not scanned.
 */
export async function deleteExpiredSignIns(
  db: Kysely<IdentityDB>,
  now: Date,
  defaultRetentionDays: number,
  minRetentionDays: number,
): Promise<number> {
  const horizon = new Date(now.getTime() - minRetentionDays * 86_400_000);
  const result = await sql`
    delete from identity.sign_in_events e
    where e.created_at < ${horizon}
      and e.created_at < ${now}::timestamptz - make_interval(days => coalesce(
        (select s.retention_days from identity.tenant_activity_settings s
         where s.tenant_id = e.tenant_id), ${defaultRetentionDays}::int))`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * The applications with the most sign-ins since `from`, with how many failed: one grouped scan
 * of the tenant's (tenant_id, created_at) index range, which partition pruning bounds to the
 * window (the portal's overview).
 */
export async function selectTopSignInApplications(
  db: Kysely<IdentityDB>,
  tenantId: string,
  from: Date,
  top: number,
): Promise<
  Array<{
    app_id: string | null;
    app_display_name: string | null;
    sign_ins: string;
    failures: string;
  }>
> {
  return db
    .selectFrom("identity.sign_in_events")
    .select([
      "app_id",
      sql<string | null>`max(app_display_name)`.as("app_display_name"),
      sql<string>`count(*)`.as("sign_ins"),
      sql<string>`count(*) filter (where status = 'failure')`.as("failures"),
    ])
    .where("tenant_id", "=", tenantId)
    .where("created_at", ">=", from)
    .groupBy("app_id")
    .orderBy(sql`count(*)`, "desc")
    .orderBy("app_id")
    .limit(top)
    .execute();
}
