import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import { createDirectory, groupIdsOfUser, type User } from "../../src/identity/directory/index.ts";
import { signingKeysOnTenantCreated } from "../../src/identity/keys/index.ts";
import { auditEvents, seedWorkflow, type Workflow } from "../identity/consent-requests/support.ts";
import { type IdentityServer, PASSWORD, startIdentity } from "../identity/oauth/support/fixture.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { openTestDatabase, type TestDatabase } from "../support/databases.ts";
import {
  collectErrors,
  ensurePortalBuilt,
  screenshot,
  seriousViolations,
} from "./portal-support.ts";

const DOMAIN = "portal-directory.example";
const FIRST_PASSWORD = "a long and unusual first passphrase 7";

/**
 * Directory > Users and Groups in the admin portal, in a real Chromium on the embedded
 * database: an administrator creates a user in the tenant's verified domain (a weak password is
 * refused next to the password field), disables and re-enables sign-in, resets the password
 * (the temporary password is shown once and signs in), adds the user to a group, assigns a
 * directory role, creates a group and adds a member through the search picker, and deletes it.
 * Every page passes axe-core with no serious or critical violation, also at phone width.
 */
describe("the admin portal: users and groups", () => {
  let t: TestDatabase | undefined;
  let server: IdentityServer;
  let browser: TestBrowser | undefined;
  let w: Workflow;
  let page: Page;
  let errors: string[];
  let ada: User | undefined;
  let temporary = "";

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    await ensurePortalBuilt();
    t = await openTestDatabase("pglite");
    if (!t) return;
    server = await startIdentity(t);
    w = await seedWorkflow(t, "portal-directory", {
      onTenantCreated: [signingKeysOnTenantCreated(server.keyRing)],
    });
    await createDirectory({ database: t.database }).tenants.addDomain(
      w.tenant.id,
      DOMAIN,
      CLI_ACTOR,
    );
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  const portal = (path = "") => `${server.baseUrl}/${w.tenant.id}/portal${path}`;
  const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
  const directory = () => {
    if (!t) throw new Error("no database");
    return createDirectory({ database: t.database });
  };

  async function expectAccessible(name: string) {
    expect(await seriousViolations(page), name).toEqual([]);
    await screenshot(page, name);
  }

  it("lists and searches users by name or user name", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal("/users"));
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await page.fill('input[name="username"]', w.globalAdmin.userPrincipalName);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button:text("Sign in")');
    await heading("Users").waitFor();
    await page.getByRole("row", { name: /megan@portal-directory\.example/ }).waitFor();
    expect(await page.getByRole("row").count()).toBe(7); // the header and six seeded users
    await expectAccessible("users");

    await page.getByLabel("Search by name or user name").fill("ME");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/search=ME/);
    await expect.poll(() => page.getByRole("row").count()).toBe(2);
    expect(await page.getByRole("row").nth(1).textContent()).toContain("megan");
    await page.getByLabel("Search by name or user name").fill("nobody");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText('No users match "nobody".').waitFor();
  });

  it("creates a user in the verified domain, showing a weak password's error at the field", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("button", { name: "New user" }).click();
    const dialog = page.getByRole("dialog", { name: "New user" });
    await dialog.waitFor();
    // Focus starts in the first field, so the form is typed straight away.
    const focused = await page.evaluate("document.activeElement && document.activeElement.id");
    expect(focused).toBe(await dialog.getByLabel("Display name").getAttribute("id"));
    await dialog.getByLabel("Display name").fill("Ada Lovelace");
    await dialog.getByLabel("User name").fill("ada");
    expect(await dialog.getByLabel("Domain").inputValue()).toBe(DOMAIN);
    await dialog.getByLabel("Initial password").fill("password");
    await dialog.getByRole("button", { name: "Create" }).click();
    const password = dialog.getByLabel("Initial password");
    await expect.poll(() => password.getAttribute("aria-invalid")).toBe("true");
    const errorId = (await password.getAttribute("aria-describedby"))?.split(" ")[0];
    const error = dialog.locator(`[id="${errorId}"]`);
    expect(await error.getAttribute("role")).toBe("alert");
    expect(await error.textContent()).toMatch(/password/i);
    await expectAccessible("users-new");

    await password.fill(FIRST_PASSWORD);
    await dialog.getByRole("button", { name: "Create" }).click();
    await heading("Ada Lovelace").waitFor();
    await dialog.waitFor({ state: "detached" });
    ada = await directory().users.findByUpn(w.tenant.id, `ada@${DOMAIN}`);
    expect(ada).toMatchObject({ displayName: "Ada Lovelace", enabled: true });
    expect(page.url()).toBe(portal(`/users/${ada?.id}`));
    const facts = (await page.locator("dl.facts").textContent()) ?? "";
    expect(facts).toContain(`User principal name${`ada@${DOMAIN}`}`);
    expect(facts).toContain("Sign-inEnabled");
    await page.getByText("Not a member of any group.").waitFor();
    await page.getByText("No directory roles.").waitFor();
    await expectAccessible("user");
  });

  it("disables and re-enables sign-in", async (ctx) => {
    if (!browser || !t || !ada) return ctx.skip();
    await page.getByRole("button", { name: "Disable sign-in" }).click();
    const dialog = page.getByRole("dialog", { name: "Disable sign-in for Ada Lovelace?" });
    await dialog.getByRole("button", { name: "Disable sign-in" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText(/Sign-in disabled/).waitFor();
    await expect
      .poll(async () => (await page.locator("dl.facts").textContent()) ?? "")
      .toContain("Sign-inDisabled");
    expect((await directory().users.get(w.tenant.id, ada.id))?.enabled).toBe(false);
    expect(
      await directory().users.authenticate(w.tenant.id, ada.userPrincipalName, FIRST_PASSWORD),
    ).toEqual({ ok: false, reason: "disabled" });

    await page.getByRole("button", { name: "Enable sign-in" }).click();
    await page.getByText(/Sign-in enabled/).waitFor();
    await expect
      .poll(async () => (await page.locator("dl.facts").textContent()) ?? "")
      .toContain("Sign-inEnabled");
    expect((await directory().users.get(w.tenant.id, ada.id))?.enabled).toBe(true);
  });

  it("resets the password: the temporary one is shown once and replaces the old one", async (ctx) => {
    if (!browser || !t || !ada) return ctx.skip();
    await page.getByRole("button", { name: "Reset password" }).click();
    const confirm = page.getByRole("dialog", { name: "Reset the password of Ada Lovelace?" });
    await confirm.getByRole("button", { name: "Reset password" }).click();
    const shown = page.getByRole("dialog", { name: "New password for Ada Lovelace" });
    await shown.waitFor();
    temporary = await shown.getByLabel("Temporary password").inputValue();
    expect(temporary).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(await shown.textContent()).toContain("cannot be shown again");
    await expectAccessible("user-reset-password");
    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "detached" });
    expect(await page.getByText(temporary).count()).toBe(0);
    const dir = directory();
    expect(
      await dir.users.authenticate(w.tenant.id, ada.userPrincipalName, FIRST_PASSWORD),
    ).toEqual({ ok: false, reason: "wrong_password" });
    expect((await dir.users.authenticate(w.tenant.id, ada.userPrincipalName, temporary)).ok).toBe(
      true,
    );
    expect(await auditEvents(t, w.tenant.id, "Reset user password")).toHaveLength(1);
  });

  it("adds the user to a group and assigns a directory role", async (ctx) => {
    if (!browser || !t || !ada) return ctx.skip();
    await page.getByLabel("Add to a group").selectOption({ label: "Sales" });
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByText("Added to Sales.").waitFor();
    await page.getByRole("link", { name: "Sales" }).waitFor();
    expect(await groupIdsOfUser(t.database.db, w.tenant.id, ada.id)).toEqual([w.sales.id]);

    const role = page.getByLabel("Assign a role");
    await role.selectOption({ label: "Global Reader" });
    // What the role allows is said before it is given.
    const about = await role.getAttribute("aria-describedby");
    expect(await page.locator(`[id="${about}"]`).textContent()).toMatch(/\w+/);
    await page.getByRole("button", { name: "Assign" }).click();
    await page.getByText("Global Reader assigned.").waitFor();
    const row = page.getByRole("row", { name: /Global Reader/ });
    await row.waitFor();
    expect(await row.textContent()).toContain("Whole organization");
    expect(await directory().roles.rolesOfUser(w.tenant.id, ada.id)).toEqual(["global_reader"]);
    await expectAccessible("user-groups-roles");

    // The page after a reload shows what is stored.
    await page.reload();
    await heading("Ada Lovelace").waitFor();
    await page.getByRole("link", { name: "Sales" }).waitFor();
    await page.getByRole("row", { name: /Global Reader/ }).waitFor();
  });

  it("signs Ada in with the temporary password on the real sign-in page", async (ctx) => {
    if (!browser || !t || !ada) return ctx.skip();
    const other = await browser.newPage();
    await other.goto(portal());
    await other.waitForURL((url) => !url.pathname.includes("/portal"));
    await other.fill('input[name="username"]', ada.userPrincipalName);
    await other.fill('input[name="password"]', temporary);
    await other.click('button:text("Sign in")');
    // A Global Reader reaches the portal, signed in as Ada.
    await other.waitForURL((url) => url.pathname.startsWith(`/${w.tenant.id}/portal`));
    await other.getByText("Ada Lovelace").first().waitFor();
    await other.context().close();
  });

  it("creates a group, adds a member through the search picker, and deletes the group", async (ctx) => {
    if (!browser || !t || !ada) return ctx.skip();
    await page.getByRole("link", { name: "Groups", exact: true }).click();
    await heading("Groups").waitFor();
    await page.getByRole("row", { name: /Sales/ }).waitFor();
    await expectAccessible("groups");
    await page.getByRole("button", { name: "New group" }).click();
    const dialog = page.getByRole("dialog", { name: "New group" });
    await dialog.getByLabel("Name").fill("Sales");
    await dialog.getByRole("button", { name: "Create" }).click();
    // A taken name is said next to the name field.
    const name = dialog.getByLabel("Name");
    await expect.poll(() => name.getAttribute("aria-invalid")).toBe("true");
    expect(await dialog.getByRole("alert").textContent()).toMatch(/Sales/);
    await name.fill("Engineering");
    await dialog.getByLabel("Description (optional)").fill("People who build things.");
    await dialog.getByRole("button", { name: "Create" }).click();
    await heading("Engineering").waitFor();
    await page.getByText("The group has no members.").waitFor();

    await page.getByLabel("Add a member: find a user by name").fill("ada");
    await page.getByText("1 user matches.").waitFor();
    await page.getByRole("button", { name: "Add Ada Lovelace" }).click();
    await page.getByText("Ada Lovelace added.").waitFor();
    const member = page.getByRole("row", { name: /Ada Lovelace/ });
    await member.waitFor();
    expect(await member.textContent()).toContain(`ada@${DOMAIN}`);
    await expectAccessible("group");
    // A member is not offered again.
    await page.getByLabel("Add a member: find a user by name").fill("ad");
    await page.getByText("No user to add matches.").waitFor();

    await member.getByRole("button", { name: "Remove Ada Lovelace" }).click();
    const remove = page.getByRole("dialog", { name: "Remove Ada Lovelace from Engineering?" });
    await remove.getByRole("button", { name: "Remove" }).click();
    await page.getByText("The group has no members.").waitFor();

    await page.getByRole("button", { name: "Delete group" }).click();
    const del = page.getByRole("dialog", { name: "Delete Engineering?" });
    await del.getByRole("button", { name: "Delete group" }).click();
    await heading("Groups").waitFor();
    await page.getByRole("row", { name: /Sales/ }).waitFor();
    expect(await page.getByRole("row", { name: /Engineering/ }).count()).toBe(0);
    expect(await directory().groups.require(w.tenant.id, "Sales")).toMatchObject({
      id: w.sales.id,
    });
  });

  it("deletes a user after confirmation", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal(`/users/${w.nestor.id}`));
    await heading("nestor").waitFor();
    await page.getByRole("button", { name: "Delete user" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete nestor?" });
    expect(await dialog.textContent()).toContain("disable sign-in instead");
    await dialog.getByRole("button", { name: "Delete user" }).click();
    await heading("Users").waitFor();
    await page.getByRole("row", { name: /megan/ }).waitFor();
    expect(await page.getByRole("row", { name: /nestor/ }).count()).toBe(0);
    expect(await directory().users.get(w.tenant.id, w.nestor.id)).toBeUndefined();
  });

  it("works at phone width", async (ctx) => {
    if (!browser || !t || !ada) return ctx.skip();
    await page.setViewportSize({ width: 390, height: 844 });
    const overflows = () =>
      page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth");
    for (const [path, shown] of [
      ["/users", page.getByRole("row", { name: /megan/ })],
      [`/users/${ada.id}`, page.getByRole("row", { name: /Global Reader/ })],
      [`/groups/${w.sales.id}`, page.getByRole("row", { name: /megan/ })],
    ] as const) {
      await page.goto(portal(path));
      await shown.waitFor();
      expect(await overflows(), path).toBe(false);
    }
    await expectAccessible("group-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("reports no script error or CSP violation anywhere", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    expect(errors).toEqual([]);
  });
});
