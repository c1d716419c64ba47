import { z } from "zod";
import { signInStatusSchema } from "../../activity/index.ts";

/** Query parameters shared by the log listings and exports. */

const dateTime = z.iso.datetime({ offset: true });
const text = (description: string) =>
  z.string().trim().min(1).max(256).optional().describe(description);

export const pagingQuery = {
  top: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .describe("Events per page (1 to 1000, default 100)."),
  cursor: z
    .string()
    .max(512)
    .optional()
    .describe("Where the previous page ended: use @odata.nextLink as given."),
};

export const exportFormatQuery = {
  format: z.enum(["csv", "jsonl"]).default("csv").describe("csv (RFC 4180) or jsonl (JSON Lines)."),
};

const timeRange = {
  from: dateTime.optional().describe("Events at or after this time (ISO 8601)."),
  to: dateTime.optional().describe("Events at or before this time (ISO 8601)."),
};

export const signInFilterQuery = {
  ...timeRange,
  user: text("A user id, or the start of a user principal name (case-insensitive)."),
  appId: text("The client application's id."),
  status: signInStatusSchema.optional().describe("success, failure or interrupted."),
  errorCode: z.coerce.number().int().min(0).optional().describe("Entra-compatible error code."),
  requestId: text("The request id from an error page's troubleshooting details."),
  correlationId: text("The client's correlation id."),
  ipAddress: text("The client's IP address."),
};

export const auditFilterQuery = {
  ...timeRange,
  activity: text('Activity name, e.g. "Add user".'),
  category: text('Category, e.g. "UserManagement".'),
  result: z.enum(["success", "failure"]).optional(),
  actor: text("Initiated by: a user id or principal name, an application id, or a system name."),
  targetId: text("The id of one of the event's targets."),
  correlationId: text("The correlation id."),
};

/** Refuses a time range that ends before it starts. */
export function withOrderedRange<T extends z.ZodObject>(schema: T) {
  return schema.refine(
    (q: { from?: string; to?: string }) =>
      !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to),
    { message: "from must not be after to", path: ["from"] },
  );
}

/** ISO strings to Dates, for the services' filters. */
export function timeRangeOf(q: { from?: string | undefined; to?: string | undefined }) {
  return {
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  };
}
