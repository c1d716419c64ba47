import { createDirectory, type Directory, type Tenant } from "../../identity/directory/index.ts";
import { tenantCreationHooks } from "../../identity/tenant-hooks.ts";
import { type CliContext, CliError } from "../context.ts";

/**
 * The directory over the CLI's database, with the same tenant-creation hooks as the server
 * (src/identity/app.ts): a tenant made with `assent tenant create` must come out the same.
 */
export async function openDirectory(ctx: CliContext): Promise<Directory> {
  const database = await ctx.database();
  return createDirectory({ database, onTenantCreated: tenantCreationHooks(ctx.keyRing) });
}

/** The tenant named by `--tenant` (id, slug or verified domain). */
export function tenantOf(directory: Directory, ref: string): Promise<Tenant> {
  return directory.tenants.require(ref);
}

/** Reads a password from the prompt (never from argv, which shells and `ps` expose). */
export async function readPassword(ctx: CliContext, prompt = "Password: "): Promise<string> {
  try {
    return await ctx.io.readSecret(prompt);
  } catch (error) {
    throw new CliError(`could not read the password: ${(error as Error).message}`);
  }
}

/** Left-aligned columns, two spaces apart, for human output. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
