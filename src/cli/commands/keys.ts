import { type Command, InvalidArgumentError } from "commander";
import { CLI_ACTOR } from "../../identity/activity/audit-log.ts";
import { requireTenant } from "../../identity/directory/index.ts";
import {
  DEFAULT_PUBLISH_OLD_FOR_SECONDS,
  listSigningKeys,
  rotateSigningKeys,
} from "../../identity/keys/index.ts";
import type { CliContext } from "../context.ts";
import { formatTable } from "./directory-shared.ts";

const TENANT_OPTION = ["--tenant <ref>", "tenant id, slug or verified domain"] as const;

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("use a whole number of seconds.");
  return Number(value);
}

/** `assent keys list|rotate`: a tenant's token signing keys (never their private parts). */
export function registerKeysCommands(program: Command, ctx: CliContext): void {
  const keys = program.command("keys").description("manage a tenant's token signing keys");

  keys
    .command("list")
    .description("list a tenant's signing keys: kid, algorithm, status, publication")
    .requiredOption(...TENANT_OPTION)
    .action(async (opts: { tenant: string }) => {
      const { db } = await ctx.database();
      const tenant = await requireTenant(db, opts.tenant);
      const list = await listSigningKeys(db, tenant.id);
      ctx.print(list, () =>
        list.length === 0
          ? `Tenant ${tenant.slug} has no signing keys yet; they are created on first use, or now with "assent keys rotate --tenant ${tenant.slug}".`
          : formatTable(
              ["KID", "ALG", "STATUS", "CREATED", "PUBLISHED UNTIL"],
              list.map((k) => [
                k.kid,
                k.alg,
                k.status,
                k.createdAt.toISOString(),
                k.status === "active"
                  ? "(active)"
                  : k.published
                    ? (k.publishedUntil?.toISOString() ?? "")
                    : "(no longer published)",
              ]),
            ),
      );
    });

  keys
    .command("rotate")
    .description(
      "create new signing keys; the old ones stay published for verification, then disappear",
    )
    .requiredOption(...TENANT_OPTION)
    .option(
      "--publish-old-for <seconds>",
      `how long the old keys stay published (default ${DEFAULT_PUBLISH_OLD_FOR_SECONDS}; 0 withdraws a compromised key at once)`,
      parseSeconds,
    )
    .action(async (opts: { tenant: string; publishOldFor?: number }) => {
      const { db } = await ctx.database();
      const tenant = await requireTenant(db, opts.tenant);
      const result = await rotateSigningKeys(db, ctx.keyRing, tenant.id, {
        ...(opts.publishOldFor === undefined ? {} : { publishOldFor: opts.publishOldFor }),
        actor: CLI_ACTOR,
      });
      ctx.print(result, () =>
        [
          `Rotated the signing keys of tenant ${tenant.slug}.`,
          `  New keys:     ${result.added.join(", ")}`,
          `  Retired keys: ${result.retired.join(", ") || "(none)"}`,
        ].join("\n"),
      );
    });
}
