import type { Kysely } from "kysely";
import type { Authenticate } from "../auth/bearer.ts";
import type { MailDB } from "../tables.ts";

/** What the Graph-shaped routes need from the composition root. */
export interface GraphRouteDeps {
  db: Kysely<MailDB>;
  authenticate: Authenticate;
  /** `config.mail.publicUrl`: the base of `@odata.context` and `@odata.nextLink` (never the Host header). */
  publicUrl: string;
}
