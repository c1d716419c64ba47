import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import {
  type Application,
  createApplication,
  findApplicationById,
  listApplications,
} from "../../src/identity/apps/index.ts";
import {
  getAdminConsentRequestPolicy,
  updateAdminConsentRequestPolicy,
} from "../../src/identity/consent-requests/index.ts";
import { createDirectory, listGroups, type User } from "../../src/identity/directory/index.ts";
import type { Workflow } from "../identity/consent-requests/support.ts";
import type { TestBrowser } from "../support/browser.ts";
import type { TestDatabase } from "../support/databases.ts";
import {
  collectErrors,
  type PortalWorld,
  portalApi,
  screenshot,
  seriousViolations,
  signInAs,
  startPortalWorld,
} from "./portal-support.ts";

const localInBrowser = (minutes: number) =>
  `(() => { const d = new Date(Date.now() + ${minutes} * 60000); const p = (n) => String(n).padStart(2, "0"); return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes()); })()`;

/**
 * The portal's forms, in a real Chromium on the embedded database: an administrator renames an
 * app registration and sets its URLs in "Branding & properties" (the list and GET show the new
 * name); a URL the API refuses is explained under that field and nothing is saved; a Global
 * Reader sees the same form read-only. Validation details of the API (a blank name) are shown
 * under the field they concern in the create forms; the consent settings find a reviewer among
 * more than a hundred users by search and show the names of reviewers far down the directory;
 * a failed sign-in's error code reads AST50126, as Identity's own error pages write it.
 */
describe("the admin portal: forms, field errors and the reviewer search", () => {
  let t: TestDatabase | undefined;
  let world: PortalWorld | undefined;
  let browser: TestBrowser | undefined;
  let w: Workflow;
  let own: Application;
  let quinn: User;
  let zed: User;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    world = await startPortalWorld("portal-forms");
    if (!world) return;
    ({ browser, t, w } = world);
    const directory = createDirectory({ database: t.database });
    // More users than a page of any list, all before the two to find by user name.
    for (let i = 1; i <= 110; i++)
      await directory.users.create(
        w.tenant.id,
        {
          userPrincipalName: `bulk${String(i).padStart(3, "0")}@portal-forms.example`,
          displayName: `Bulk user ${String(i).padStart(3, "0")}`,
        },
        CLI_ACTOR,
      );
    quinn = await directory.users.create(
      w.tenant.id,
      { userPrincipalName: "quinn@portal-forms.example", displayName: "Quinn Okafor" },
      CLI_ACTOR,
    );
    zed = await directory.users.create(
      w.tenant.id,
      { userPrincipalName: "zed@portal-forms.example", displayName: "Zed Last" },
      CLI_ACTOR,
    );
    // A reviewer the old first-hundred list could not name.
    await updateAdminConsentRequestPolicy(
      t.database.db,
      w.tenant.id,
      {
        reviewers: [
          { type: "user", id: zed.id },
          { type: "role", id: "global_administrator" },
        ],
      },
      CLI_ACTOR,
    );
    own = await createApplication(
      t.database.db,
      w.tenant.id,
      { displayName: "Contoso Expenses" },
      CLI_ACTOR,
    );
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectErrors(page);
  });
  afterAll(async () => {
    await world?.close();
  });

  const portal = (path = "") => world?.portal(path) ?? "";
  const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
  const section = (name: string) => page.getByRole("region", { name, exact: true });
  async function expectAccessible(p: Page, name: string) {
    expect(await seriousViolations(p), name).toEqual([]);
    await screenshot(p, name);
  }
  /** The field's error: the element its aria-describedby names first, with role alert. */
  async function errorOf(field: ReturnType<Page["getByLabel"]>) {
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const errorId = (await field.getAttribute("aria-describedby"))?.split(" ")[0] ?? "";
    const error = page.locator(`[id="${errorId}"]`);
    expect(await error.getAttribute("role")).toBe("alert");
    return (await error.textContent()) ?? "";
  }
  /** A call to the admin API with the portal's own token: what the API itself answers. */
  const apiCall = (method: string, path: string, body?: unknown) =>
    portalApi<
      Record<string, unknown> & {
        error?: { code: string; message: string; details?: Array<{ message: string }> };
      }
    >(page, w.tenant.id, method, path, body);

  it("renames an app registration and sets its URLs; the list and GET show them", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal(`/app-registrations/${own.id}`));
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    // A mistyped password first: the failed sign-in the last test finds in the log.
    await signInAs(page, w.globalAdmin.userPrincipalName, "not the password");
    await page.getByText("Your user name or password is incorrect.").waitFor();
    await signInAs(page, w.globalAdmin.userPrincipalName);
    await heading("Contoso Expenses").waitFor();

    const form = section("Branding & properties");
    const name = form.getByLabel("Name", { exact: true });
    expect(await name.inputValue()).toBe("Contoso Expenses");
    const save = form.getByRole("button", { name: "Save" });
    expect(await save.isDisabled()).toBe(true);
    await name.fill("Contoso Expense Reports");
    await form.getByLabel("Home page URL").fill("https://expenses.example");
    await form.getByLabel("Logo URL").fill("https://expenses.example/logo.png");
    await form.getByLabel("Terms of service URL").fill("https://expenses.example/terms");
    await form.getByLabel("Privacy statement URL").fill("https://expenses.example/privacy");
    await form.getByLabel("Publisher name").fill("Contoso Finance");
    await expectAccessible(page, "app-registration-properties");
    await save.click();
    await form.getByText("Properties saved.").waitFor();
    await heading("Contoso Expense Reports").waitFor();
    expect(await save.isDisabled()).toBe(true);

    expect(await apiCall("GET", `/api/v1/applications/${own.id}`)).toMatchObject({
      displayName: "Contoso Expense Reports",
      homepageUrl: "https://expenses.example",
      logoUrl: "https://expenses.example/logo.png",
      termsUrl: "https://expenses.example/terms",
      privacyUrl: "https://expenses.example/privacy",
      publisherDisplayName: "Contoso Finance",
    });
    await page.getByRole("link", { name: "App registrations" }).first().click();
    await heading("App registrations").waitFor();
    await page.getByRole("link", { name: "Contoso Expense Reports" }).waitFor();
    expect(await page.getByRole("link", { name: "Contoso Expenses", exact: true }).count()).toBe(0);

    // Emptying a URL clears it.
    await page.getByRole("link", { name: "Contoso Expense Reports" }).click();
    await form.getByLabel("Terms of service URL").fill("");
    await save.click();
    await form.getByText("Properties saved.").waitFor();
    expect((await findApplicationById(t.database.db, own.id))?.termsUrl).toBeNull();
  });

  it("explains a refused URL under its field and saves nothing; Discard puts the values back", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const form = section("Branding & properties");
    await form.getByLabel("Name", { exact: true }).fill("Renamed, but not saved");
    const homepage = form.getByLabel("Home page URL");
    await homepage.fill("expenses.example/home");
    await form.getByRole("button", { name: "Save" }).click();
    expect(await errorOf(homepage)).toContain("homepageUrl must be an absolute http or https URL");
    // The message is under the field it concerns, not under the others or at the top.
    expect(await form.getByLabel("Name", { exact: true }).getAttribute("aria-invalid")).toBeNull();
    expect(await form.getByRole("alert").count()).toBe(1);
    await expectAccessible(page, "app-registration-properties-error");
    const stored = await findApplicationById(t.database.db, own.id);
    expect(stored).toMatchObject({
      displayName: "Contoso Expense Reports",
      homepageUrl: "https://expenses.example",
    });

    // The logo must be https: the consent screen shows it.
    await homepage.fill("https://expenses.example");
    const logo = form.getByLabel("Logo URL");
    await logo.fill("http://expenses.example/logo.png");
    await form.getByRole("button", { name: "Save" }).click();
    expect(await errorOf(logo)).toContain("logoUrl must be an absolute https URL");
    expect(await homepage.getAttribute("aria-invalid")).toBeNull();

    // A blank name: the API's validation details, under the name.
    await logo.fill("https://expenses.example/logo.png");
    const name = form.getByLabel("Name", { exact: true });
    await name.fill("   ");
    await form.getByRole("button", { name: "Save" }).click();
    expect(await errorOf(name)).toMatch(/\S/);
    expect(await form.getByText("see details for each field").count()).toBe(0);

    await form.getByRole("button", { name: "Discard" }).click();
    expect(await name.inputValue()).toBe("Contoso Expense Reports");
    expect(await name.getAttribute("aria-invalid")).toBeNull();
    expect(await form.getByRole("alert").count()).toBe(0);
    expect((await findApplicationById(t.database.db, own.id))?.displayName).toBe(
      "Contoso Expense Reports",
    );
  });

  it("shows the properties read-only to a Global Reader", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const reader = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors.push(...collectErrors(reader));
    await reader.goto(portal(`/app-registrations/${own.id}`));
    await reader.waitForURL((url) => !url.pathname.includes("/portal"));
    await signInAs(reader, w.reader.userPrincipalName);
    const form = reader.getByRole("region", { name: "Branding & properties", exact: true });
    const name = form.getByLabel("Name", { exact: true });
    await expect.poll(() => name.inputValue()).toBe("Contoso Expense Reports");
    expect(await name.isDisabled()).toBe(true);
    expect(await form.getByLabel("Home page URL").isDisabled()).toBe(true);
    expect(await form.getByRole("button", { name: "Save" }).count()).toBe(0);
    expect(await form.getByRole("button", { name: "Discard" }).count()).toBe(0);
    await form.getByText("You can view this but not change it").waitFor();
    await expectAccessible(reader, "app-registration-properties-read-only");
    await reader.context().close();
  });

  it("shows the API's validation details under the fields of the create forms", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    // New registration: a blank name.
    await page.goto(portal("/app-registrations"));
    await heading("App registrations").waitFor();
    await page.getByRole("button", { name: "New registration" }).click();
    let dialog = page.getByRole("dialog", { name: "Register an application" });
    await dialog.getByLabel("Name").fill("   ");
    await dialog.getByRole("button", { name: "Register" }).click();
    const refused = await apiCall("POST", "/api/v1/applications", { displayName: "" });
    expect(refused.error?.code).toBe("request.invalid");
    expect(await errorOf(dialog.getByLabel("Name"))).toBe(refused.error?.details?.[0]?.message);
    expect(await dialog.getByRole("alert").count()).toBe(1);
    expect(await dialog.getByText("see details for each field").count()).toBe(0);
    await expectAccessible(page, "app-registration-new-field-error");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await listApplications(t.database.db, w.tenant.id)).toHaveLength(1);

    // New group: a blank name.
    await page.getByRole("link", { name: "Groups" }).click();
    await heading("Groups").waitFor();
    await page.getByRole("button", { name: "New group" }).click();
    dialog = page.getByRole("dialog", { name: "New group" });
    await dialog.getByLabel("Name").fill("   ");
    await dialog.getByLabel("Description (optional)").fill("Blank on purpose");
    await dialog.getByRole("button", { name: "Create" }).click();
    expect(await errorOf(dialog.getByLabel("Name"))).toMatch(/\S/);
    expect(
      await dialog.getByLabel("Description (optional)").getAttribute("aria-invalid"),
    ).toBeNull();
    expect(await dialog.getByRole("alert").count()).toBe(1);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    const groups = await listGroups(t.database.db, w.tenant.id);
    expect(groups.map((g) => g.description)).not.toContain("Blank on purpose");

    // New user: a blank display name.
    await page.getByRole("link", { name: "Users" }).click();
    await heading("Users").waitFor();
    await page.getByRole("button", { name: "New user" }).click();
    dialog = page.getByRole("dialog", { name: "New user" });
    await dialog.getByLabel("Display name").fill("   ");
    await dialog
      .getByLabel(/User (principal )?name/)
      .first()
      .fill("blank@portal-forms.example");
    await dialog.getByLabel("Initial password").fill("a long enough passphrase for this");
    await dialog.getByRole("button", { name: "Create" }).click();
    expect(await errorOf(dialog.getByLabel("Display name"))).toMatch(/\S/);
    expect(await dialog.getByLabel("Initial password").getAttribute("aria-invalid")).toBeNull();
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // Webhook endpoint: a URL the API refuses, by its code, under the URL.
    await page.getByRole("link", { name: "Webhooks" }).click();
    await heading("Webhooks").waitFor();
    const add = page.getByRole("region", { name: "Add an endpoint" });
    const url = add.getByLabel("URL (https, reachable from this server)");
    await url.fill("ftp://hooks.example/assent");
    await add.getByRole("button", { name: "Add endpoint" }).click();
    const hook = await apiCall("POST", "/api/v1/webhookEndpoints", {
      url: "ftp://hooks.example/assent",
      eventTypes: ["consent_request.created"],
    });
    expect(hook.error?.code).toBe("webhook_endpoint.invalid_url");
    expect(await errorOf(url)).toBe(hook.error?.message);
    expect(await add.getByRole("alert").count()).toBe(1);
    await expectAccessible(page, "webhook-endpoint-field-error");
  });

  it("finds a reviewer among more than a hundred users by search, and names every reviewer", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: "Consent and permissions" }).click();
    const settings = section("Admin consent settings");
    const reviewers = settings.getByRole("list", { name: "Reviewers" });
    // A reviewer far down the directory is named, read by id.
    await reviewers.getByText("Zed Last (zed@portal-forms.example)").waitFor();
    await reviewers.getByText("Global Administrator (role)").waitFor();

    const found = settings.getByRole("list", { name: "Users and groups found" });
    await found.getByText("Bulk user 001 (bulk001@portal-forms.example)").waitFor();
    expect(await found.getByText(/Quinn Okafor/).count()).toBe(0);
    await settings.getByLabel("Find a user or group to add").fill("quin");
    const addQuinn = found.getByRole("button", {
      name: "Add Quinn Okafor (quinn@portal-forms.example) as a reviewer",
    });
    await addQuinn.click();
    await reviewers.getByText("Quinn Okafor (quinn@portal-forms.example)").waitFor();
    expect(await addQuinn.isDisabled()).toBe(true);
    // Groups are searched too.
    await settings.getByLabel("Find a user or group to add").fill("sal");
    await found.getByRole("button", { name: "Add Sales (group) as a reviewer" }).waitFor();
    await expectAccessible(page, "consent-settings-reviewer-search");
    await settings.getByRole("button", { name: "Save" }).click();
    await settings.getByText("Admin consent settings saved.").waitFor();
    const policy = await getAdminConsentRequestPolicy(t.database.db, w.tenant.id);
    expect(policy.reviewers).toEqual(
      expect.arrayContaining([
        { type: "user", id: quinn.id },
        { type: "user", id: zed.id },
        { type: "role", id: "global_administrator" },
      ]),
    );
    expect(policy.reviewers).toHaveLength(3);

    await page.reload();
    await section("Admin consent settings")
      .getByRole("list", { name: "Reviewers" })
      .getByText("Quinn Okafor (quinn@portal-forms.example)")
      .waitFor();
  });

  it("writes a failed sign-in's error code with Assent's AST prefix", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.getByRole("link", { name: "Sign-in logs" }).click();
    await heading("Sign-in logs").waitFor();
    await page.getByLabel("From").fill(String(await page.evaluate(localInBrowser(-10))));
    await page
      .getByLabel("To", { exact: true })
      .fill(String(await page.evaluate(localInBrowser(5))));
    await page.getByLabel("User (start of the user name)").fill(w.globalAdmin.userPrincipalName);
    // The code as an error page shows it filters by its number.
    await page.getByLabel("Error code (number)").fill("AST50126");
    const row = page.getByRole("row", { name: /grace@/ });
    // The sign-in log is written in batches: apply the filters until the event is there.
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Apply" }).click();
        await page.locator("main table, main .empty").first().waitFor();
        return row.count();
      })
      .toBe(1);
    expect(new URL(page.url()).searchParams.get("errorCode")).toBe("50126");
    await row.getByRole("button", { name: /Details/ }).click();
    const details = page.getByRole("region", { name: "Sign-in details" });
    const text = (await details.textContent()) ?? "";
    expect(text).toContain("Error codeAST50126");
    expect(text).not.toContain("AADSTS");
    expect(errors).toEqual([]);
  });
});
