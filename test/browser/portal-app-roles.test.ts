import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../src/identity/activity/audit-log.ts";
import {
  type Application,
  type AppRole,
  createApplication,
  exposeAppRole,
} from "../../src/identity/apps/index.ts";
import type { Workflow } from "../identity/consent-requests/support.ts";
import type { TestBrowser } from "../support/browser.ts";
import type { TestDatabase } from "../support/databases.ts";
import {
  collectErrors,
  type PortalWorld,
  portalApi,
  seriousViolations,
  signInAs,
  startPortalWorld,
} from "./portal-support.ts";

/**
 * Editing an app role in the admin portal, in a real Chromium on the embedded database: an
 * administrator opens a role's Edit dialog (pre-filled, with the note that a new value changes
 * the tokens' roles claim), changes its display name and value, and sees both in the list and in
 * the API's answer; a value another role has is refused with the API's message at the top of the
 * dialog, and nothing changes.
 */
describe("the admin portal: editing app roles", () => {
  let t: TestDatabase | undefined;
  let world: PortalWorld | undefined;
  let browser: TestBrowser | undefined;
  let w: Workflow;
  let app: Application;
  let approve: AppRole;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    world = await startPortalWorld("portal-app-roles");
    if (!world) return;
    ({ browser, t, w } = world);
    const { db } = t.database;
    app = await createApplication(db, w.tenant.id, { displayName: "Contoso Reports" }, CLI_ACTOR);
    approve = await exposeAppRole(
      db,
      w.tenant.id,
      app.id,
      {
        value: "Reports.Approve",
        displayName: "Report approver",
        description: "Approves reports before they are sent.",
        allowedMemberTypes: ["User"],
      },
      CLI_ACTOR,
    );
    await exposeAppRole(
      db,
      w.tenant.id,
      app.id,
      {
        value: "Reports.Audit",
        displayName: "Report auditor",
        description: "Reads every report.",
        allowedMemberTypes: ["User", "Application"],
      },
      CLI_ACTOR,
    );
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = collectErrors(page);
  });
  afterAll(async () => {
    await world?.close();
  });

  const portal = (path = "") => world?.portal(path) ?? "";
  const roles = () => page.getByRole("region", { name: "App roles", exact: true });
  /** The app's roles as the admin API answers, with the portal's own token. */
  const rolesFromApi = async () =>
    (
      await portalApi<{ value: Array<Record<string, unknown>> }>(
        page,
        w.tenant.id,
        "GET",
        `/api/v1/applications/${app.id}/appRoles`,
      )
    ).value;

  it("edits a role's display name and value; the list and GET show them", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    await page.goto(portal(`/app-registrations/${app.id}`));
    await page.waitForURL((url) => !url.pathname.includes("/portal"));
    await signInAs(page, w.globalAdmin.userPrincipalName);
    await page.getByRole("heading", { level: 1, name: "Contoso Reports" }).waitFor();

    const row = roles().getByRole("row", { name: /Reports\.Approve/ });
    await row.getByRole("button", { name: "Edit Reports.Approve" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit app role Reports.Approve" });
    const value = dialog.getByLabel("Value");
    expect(await value.inputValue()).toBe("Reports.Approve");
    expect(await dialog.getByLabel("Display name").inputValue()).toBe("Report approver");
    expect(await dialog.getByLabel("Description").inputValue()).toBe(
      "Approves reports before they are sent.",
    );
    expect(await dialog.getByLabel(/^Users and groups/).isChecked()).toBe(true);
    expect(await dialog.getByLabel(/^Applications/).isChecked()).toBe(false);
    expect(await dialog.getByLabel("Enabled").isChecked()).toBe(true);
    const hintId = (await value.getAttribute("aria-describedby")) ?? "";
    expect(await page.locator(`[id="${hintId}"]`).textContent()).toContain(
      "changes the roles claim of tokens issued from then on",
    );
    expect(await seriousViolations(page), "edit app role dialog").toEqual([]);

    await dialog.getByLabel("Display name").fill("Report signer");
    await value.fill("Reports.Sign");
    await dialog.getByRole("button", { name: "Save" }).click();
    await roles().getByText("App role Reports.Sign saved.").waitFor();
    const edited = roles().getByRole("row", { name: /Reports\.Sign/ });
    await edited.waitFor();
    expect(await edited.textContent()).toContain("Report signer");
    expect(
      await roles()
        .getByRole("row", { name: /Reports\.Approve/ })
        .count(),
    ).toBe(0);

    const stored = await rolesFromApi();
    expect(stored.find((r) => r.id === approve.id)).toEqual({
      id: approve.id,
      value: "Reports.Sign",
      displayName: "Report signer",
      description: "Approves reports before they are sent.",
      allowedMemberTypes: ["User"],
      isEnabled: true,
    });
  });

  it("refuses a value another role has, with the API's message, and changes nothing", async (ctx) => {
    if (!browser || !t) return ctx.skip();
    const before = await rolesFromApi();
    const row = roles().getByRole("row", { name: /Reports\.Sign/ });
    await row.getByRole("button", { name: "Edit Reports.Sign" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit app role Reports.Sign" });
    await dialog.getByLabel("Value").fill("Reports.Audit");
    await dialog.getByRole("button", { name: "Save" }).click();
    const alert = dialog.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain(
      'The application already has an app role "Reports.Audit": choose another value.',
    );
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(
      await roles()
        .getByRole("row", { name: /Reports\.Sign/ })
        .count(),
    ).toBe(1);
    expect(await rolesFromApi()).toEqual(before);
    expect(errors).toEqual([]);
  });
});
