import type { Command } from "commander";
import { CLI_ACTOR } from "../../identity/activity/audit-log.ts";
import type { CliContext } from "../context.ts";
import { formatTable, openDirectory, tenantOf } from "./directory-shared.ts";

/** `assent tenant create|list` and `assent domain add`. */
export function registerTenantCommands(program: Command, ctx: CliContext): void {
  const tenant = program.command("tenant").description("manage tenants (organisations)");

  tenant
    .command("create <slug>")
    .description("create a tenant; the slug names it in URLs (/{slug}/v2.0)")
    .requiredOption("--name <display name>", "the organisation's display name")
    .action(async (slug: string, opts: { name: string }) => {
      const directory = await openDirectory(ctx);
      const created = await directory.tenants.create({ slug, displayName: opts.name }, CLI_ACTOR);
      ctx.print(
        created,
        () => `Created tenant ${created.slug} (${created.displayName}), id ${created.id}.`,
      );
    });

  tenant
    .command("list")
    .description("list tenants with their verified domains")
    .action(async () => {
      const directory = await openDirectory(ctx);
      const tenants = await directory.tenants.list();
      const withDomains = await Promise.all(
        tenants.map(async (t) => ({
          ...t,
          domains: (await directory.tenants.listDomains(t.id)).map((d) => d.domain),
        })),
      );
      ctx.print(withDomains, () =>
        withDomains.length === 0
          ? 'No tenants yet. Create one with "assent tenant create <slug> --name <name>".'
          : formatTable(
              ["SLUG", "NAME", "ID", "DOMAINS"],
              withDomains.map((t) => [t.slug, t.displayName, t.id, t.domains.join(", ")]),
            ),
      );
    });

  const domain = program.command("domain").description("manage a tenant's verified domains");

  domain
    .command("add <domain>")
    .description("add a verified domain to a tenant (a domain belongs to one tenant)")
    .requiredOption("--tenant <ref>", "tenant id, slug or verified domain")
    .action(async (name: string, opts: { tenant: string }) => {
      const directory = await openDirectory(ctx);
      const owner = await tenantOf(directory, opts.tenant);
      const added = await directory.tenants.addDomain(owner.id, name, CLI_ACTOR);
      ctx.print(added, () => `Added verified domain ${added.domain} to tenant ${owner.slug}.`);
    });
}
