export { EmbeddedDatabaseError } from "./data-dir-lock.ts";
export {
  type Database,
  type DatabaseTarget,
  databaseKindOf,
  openDatabase,
  preparedTag,
} from "./database.ts";
export {
  constraintOf,
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  isForeignKeyViolation,
  isUniqueViolation,
} from "./errors.ts";
export { inTransaction } from "./in-transaction.ts";
export { type Migration, type MigrationSet, migrate } from "./migrate.ts";
