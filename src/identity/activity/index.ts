/**
 * Activity: the sign-in log (a buffered, never-blocking recorder; monthly partitions), the
 * hash-chained audit log, their queries and streamed exports, chain verification, and
 * per-tenant retention.
 */
export {
  type AuditActor,
  type AuditEventInput,
  type AuditTarget,
  auditHash,
  CLI_ACTOR,
  type ModifiedProperty,
  recordAudit,
} from "./audit-log.ts";
export type { AuditFilter } from "./audit-queries.ts";
export { type AuditChainReport, PURGE_ACTIVITY, verifyAuditChain } from "./audit-verify.ts";
export { csvCell, csvLine } from "./csv.ts";
export {
  auditLog,
  directoryAuditView,
  getDirectoryAudit,
  listDirectoryAudits,
} from "./directory-audits.ts";
export {
  EXPORT_BATCH_SIZE,
  EXPORT_CONTENT_TYPES,
  type ExportFormat,
  type ExportKind,
  type ExportRequest,
  exportLog,
} from "./log-export.ts";
export { type LogSource, listPage, type Page } from "./log-source.ts";
export {
  ensureSignInPartition,
  ensureSignInPartitionsAhead,
  listSignInPartitions,
  type SignInPartition,
} from "./partitions.ts";
export {
  DEFAULT_RETENTION_DAYS,
  getActivityRetention,
  MAX_RETENTION_DAYS,
  type PurgeReport,
  purgeActivity,
  setActivityRetention,
} from "./retention.ts";
export {
  type DirectoryAuditView,
  directoryAuditSchema,
  pageSchema,
  type SignInView,
  signInEventTypeSchema,
  signInSchema,
  signInStatusSchema,
} from "./schemas.ts";
export type { SignInEvent, SignInEventType, SignInStatus } from "./sign-in-event.ts";
export { getSignIn, listSignIns, signInLog, signInView } from "./sign-in-log.ts";
export { type SignInFilter, selectTopSignInApplications } from "./sign-in-queries.ts";
export {
  createSignInRecorder,
  type SignInRecorder,
  type SignInRecorderHealth,
  type SignInRecorderOptions,
} from "./sign-in-recorder.ts";
