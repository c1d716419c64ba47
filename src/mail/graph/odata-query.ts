import { badRequest } from "./graph-error.ts";

/**
 * The OData system query options Mail's message collections understand ($top, $skip, $select,
 * $orderby), parsed strictly: anything it cannot honour is a 400 naming the option, never
 * silently ignored (a client asking for $filter must not mistake an unfiltered page for a
 * filtered one).
 */

/** The message properties Mail returns and $select may name, in Graph's order. */
export const MESSAGE_PROPERTIES = [
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "receivedDateTime",
  "sentDateTime",
  "hasAttachments",
  "internetMessageId",
  "subject",
  "bodyPreview",
  "importance",
  "parentFolderId",
  "isRead",
  "isDraft",
  "body",
  "sender",
  "from",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "replyTo",
] as const;
export type MessageProperty = (typeof MESSAGE_PROPERTIES)[number];

// Graph's page size for messages when $top is absent, and the most one page may hold.
export const DEFAULT_TOP = 10;
export const MAX_TOP = 1000;
// Far beyond any mailbox here; keeps OFFSET a sane integer.
const MAX_SKIP = 1_000_000;

export interface MessageListQuery {
  top: number;
  skip: number;
  /** Undefined: every property. */
  select: MessageProperty[] | undefined;
  order: "asc" | "desc";
}

type Query = Record<string, unknown>;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw badRequest(`The query option '${name}' may be given only once.`);
  return value;
}

function integer(query: Query, name: string, min: number, max: number): number | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw.trim()))
    throw badRequest(`Invalid value '${raw}' for the query option '${name}': give a whole number.`);
  const n = Number(raw.trim());
  if (n < min || n > max)
    throw badRequest(
      `Invalid value '${raw}' for the query option '${name}': it must be from ${min} to ${max}.`,
      "ErrorInvalidParameter",
    );
  return n;
}

function rejectUnsupported(query: Query, allowed: readonly string[]): void {
  for (const name of Object.keys(query)) {
    if (name.startsWith("$") && !allowed.includes(name))
      throw badRequest(`The query option '${name}' is not supported by Assent Mail.`);
  }
}

/** `$select=subject,from`: known message properties only; `id` is always returned, as in Graph. */
export function parseSelect(query: Query): MessageProperty[] | undefined {
  const raw = single(query, "$select");
  if (raw === undefined) return undefined;
  const names = raw.split(",").map((s) => s.trim());
  if (names.some((n) => n === ""))
    throw badRequest(
      `Invalid value '${raw}' for '$select': give a comma-separated list of properties.`,
    );
  for (const name of names) {
    if (!(MESSAGE_PROPERTIES as readonly string[]).includes(name))
      throw badRequest(
        `Could not find a property named '${name}' on type 'microsoft.graph.message'.`,
      );
  }
  return [...new Set(["id", ...names])] as MessageProperty[];
}

function parseOrderBy(query: Query): "asc" | "desc" {
  const raw = single(query, "$orderby");
  if (raw === undefined) return "desc";
  const m = /^\s*receivedDateTime(?:\s+(asc|desc))?\s*$/i.exec(raw);
  if (!m)
    throw badRequest(
      `Invalid value '${raw}' for '$orderby': Assent Mail orders by 'receivedDateTime desc' or 'receivedDateTime asc'.`,
    );
  // OData's default direction is ascending (OData 4.01 Part 2, §5.1.5).
  return (m[1]?.toLowerCase() as "asc" | "desc" | undefined) ?? "asc";
}

/** Parses a message collection's query options; throws a 400 GraphError for anything invalid. */
export function parseMessageListQuery(query: Query): MessageListQuery {
  rejectUnsupported(query, ["$top", "$skip", "$select", "$orderby"]);
  return {
    top: integer(query, "$top", 1, MAX_TOP) ?? DEFAULT_TOP,
    skip: integer(query, "$skip", 0, MAX_SKIP) ?? 0,
    select: parseSelect(query),
    order: parseOrderBy(query),
  };
}

/** Parses a single message's query options ($select only). */
export function parseMessageQuery(query: Query): { select: MessageProperty[] | undefined } {
  rejectUnsupported(query, ["$select"]);
  return { select: parseSelect(query) };
}

/** The query string of the next page, keeping the caller's $select and ordering. */
export function nextPageQuery(query: MessageListQuery): string {
  const params = new URLSearchParams();
  params.set("$top", String(query.top));
  params.set("$skip", String(query.skip + query.top));
  if (query.select) params.set("$select", query.select.join(","));
  if (query.order === "asc") params.set("$orderby", "receivedDateTime asc");
  // Graph writes `$` and `,` literally in nextLink; URLSearchParams would escape them.
  return params.toString().replaceAll("%24", "$").replaceAll("%2C", ",");
}
