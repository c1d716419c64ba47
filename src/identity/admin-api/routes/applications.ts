import { z } from "zod";
import {
  type Application,
  addClientSecret,
  addRedirectUri,
  type ClientSecretInfo,
  createApplication,
  DEFAULT_SECRET_LIFETIME_DAYS,
  listApplications,
  listClientSecrets,
  MAX_REDIRECT_URI_LENGTH,
  MAX_SECRET_LIFETIME_DAYS,
  removeClientSecret,
  removeRedirectUri,
  requireOwnApplication,
  updateApplication,
} from "../../apps/index.ts";
import { actorOf } from "../caller.ts";
import { type AdminRoute, defineRoute } from "../route.ts";
import {
  dateTime,
  idParams,
  iso,
  noContent,
  objectId,
  PERMISSIONS,
  patchBody,
  searchQuery,
} from "./admin-common.ts";

const TAGS = ["Applications"];

const url = z.string().max(2048).nullable().optional();

export const applicationSchema = z
  .object({
    id: z.guid().describe("Object id: what /api/v1/applications/{id} takes."),
    appId: z.guid().describe("Client id: what client_id carries."),
    displayName: z.string(),
    signInAudience: z.enum(["AzureADMyOrg", "AzureADMultipleOrgs"]),
    isPublicClient: z.boolean(),
    redirectUris: z.array(z.string()),
    identifierUris: z.array(z.string()),
    publisherDisplayName: z.string().nullable(),
    publisherVerified: z.boolean().describe("Set by the platform operator only."),
    homepageUrl: z.string().nullable(),
    logoUrl: z.string().nullable(),
    termsUrl: z.string().nullable(),
    privacyUrl: z.string().nullable(),
    createdDateTime: dateTime,
  })
  .meta({ id: "Application" });

export function applicationView(a: Application): z.input<typeof applicationSchema> {
  return {
    id: a.id,
    appId: a.appId,
    displayName: a.displayName,
    signInAudience: a.signInAudience,
    isPublicClient: a.isPublicClient,
    redirectUris: a.redirectUris,
    identifierUris: a.identifierUris,
    publisherDisplayName: a.publisherDisplayName,
    publisherVerified: a.publisherVerified,
    homepageUrl: a.homepageUrl,
    logoUrl: a.logoUrl,
    termsUrl: a.termsUrl,
    privacyUrl: a.privacyUrl,
    createdDateTime: iso(a.createdAt),
  };
}

const secretSchema = z
  .object({
    keyId: z.guid(),
    displayName: z.string(),
    hint: z.string().describe("The secret's first characters, to tell secrets apart."),
    startDateTime: dateTime,
    endDateTime: dateTime,
  })
  .meta({ id: "PasswordCredential" });

function secretView(s: ClientSecretInfo): z.input<typeof secretSchema> {
  return {
    keyId: s.id,
    displayName: s.displayName,
    hint: s.hint,
    startDateTime: iso(s.createdAt),
    endDateTime: iso(s.expiresAt),
  };
}

const appParams = idParams("application");
export const APP_NOT_FOUND = {
  status: 404,
  code: "application.not_found",
  description: "No such application registered in this tenant.",
};

export const listApplicationsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/applications",
  operationId: "listApplications",
  summary: "The app registrations this tenant publishes, by name",
  tags: TAGS,
  permission: PERMISSIONS.readApplications,
  query: z.object(searchQuery),
  response: z.object({ value: z.array(applicationSchema) }),
  async handler(ctx) {
    const apps = await listApplications(ctx.deps.database.db, ctx.caller.tenantId);
    const search = ctx.query.search?.toLowerCase();
    const matches = (a: Application) =>
      !search ||
      a.appId === search ||
      a.displayName.toLowerCase().startsWith(search) ||
      a.displayName.toLowerCase().includes(` ${search}`);
    return { value: apps.filter(matches).map(applicationView) };
  },
});

export const createApplicationRoute = defineRoute({
  method: "POST",
  path: "/api/v1/applications",
  operationId: "createApplication",
  summary: "Register an application",
  description:
    "Also creates its service principal (enterprise app) in this tenant. Its Application ID URI is api://{appId}.",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  body: z
    .object({
      displayName: z.string().min(1).max(256),
      signInAudience: z.enum(["AzureADMyOrg", "AzureADMultipleOrgs"]).optional(),
      isPublicClient: z
        .boolean()
        .optional()
        .describe("A SPA or native app: no secret, PKCE required."),
      redirectUris: z.array(z.string().max(MAX_REDIRECT_URI_LENGTH)).max(256).optional(),
    })
    .strict(),
  response: applicationSchema,
  status: 201,
  errors: [
    {
      status: 400,
      code: "application.invalid_redirect_uri",
      description: "Not https (or http on loopback), or not an absolute URI.",
    },
  ],
  async handler(ctx) {
    const app = await createApplication(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.body,
      actorOf(ctx.caller),
    );
    return applicationView(app);
  },
});

export const getApplicationRoute = defineRoute({
  method: "GET",
  path: "/api/v1/applications/{id}",
  operationId: "getApplication",
  summary: "One app registration",
  tags: TAGS,
  permission: PERMISSIONS.readApplications,
  params: appParams,
  response: applicationSchema,
  errors: [APP_NOT_FOUND],
  handler: async (ctx) =>
    applicationView(
      await requireOwnApplication(ctx.deps.database.db, ctx.caller.tenantId, ctx.params.id),
    ),
});

export const updateApplicationRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/applications/{id}",
  operationId: "updateApplication",
  summary: "Change an app registration's name, URLs or publisher name",
  description:
    "null clears a URL. A verified publisher loses the verified badge when its name changes.",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: appParams,
  body: patchBody({
    displayName: z.string().min(1).max(256).optional(),
    homepageUrl: url,
    logoUrl: url.describe("https only: the consent screen shows it."),
    termsUrl: url,
    privacyUrl: url,
    publisherDisplayName: z.string().max(256).nullable().optional(),
  }),
  response: applicationSchema,
  errors: [
    APP_NOT_FOUND,
    { status: 400, code: "application.invalid_url", description: "Not an http(s) URL." },
  ],
  async handler(ctx) {
    const app = await updateApplication(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.body,
      actorOf(ctx.caller),
    );
    return applicationView(app);
  },
});

const redirectUri = z.string().min(1).max(MAX_REDIRECT_URI_LENGTH);

export const addRedirectUriRoute = defineRoute({
  method: "POST",
  path: "/api/v1/applications/{id}/redirectUris",
  operationId: "addRedirectUri",
  summary: "Add a redirect URI",
  description: "Stored exactly as given: authorization requests must match it exactly.",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: appParams,
  body: z.object({ uri: redirectUri }).strict(),
  response: applicationSchema,
  status: 201,
  errors: [
    APP_NOT_FOUND,
    { status: 400, code: "application.invalid_redirect_uri", description: "Refused URI." },
    { status: 409, code: "application.duplicate_redirect_uri", description: "Already there." },
  ],
  async handler(ctx) {
    const app = await addRedirectUri(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.body.uri,
      actorOf(ctx.caller),
    );
    return applicationView(app);
  },
});

export const removeRedirectUriRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/applications/{id}/redirectUris",
  operationId: "removeRedirectUri",
  summary: "Remove a redirect URI",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: appParams,
  query: z.object({ uri: redirectUri.describe("The URI to remove, exactly as registered.") }),
  response: applicationSchema,
  errors: [
    APP_NOT_FOUND,
    { status: 404, code: "application.redirect_uri_not_found", description: "Not registered." },
  ],
  async handler(ctx) {
    const app = await removeRedirectUri(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.query.uri,
      actorOf(ctx.caller),
    );
    return applicationView(app);
  },
});

export const listSecretsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/applications/{id}/passwordCredentials",
  operationId: "listClientSecrets",
  summary: "An application's client secrets (never their values)",
  tags: TAGS,
  permission: PERMISSIONS.readApplications,
  params: appParams,
  response: z.object({ value: z.array(secretSchema) }),
  errors: [APP_NOT_FOUND],
  async handler(ctx) {
    const { db } = ctx.deps.database;
    const app = await requireOwnApplication(db, ctx.caller.tenantId, ctx.params.id);
    return { value: (await listClientSecrets(db, ctx.caller.tenantId, app.id)).map(secretView) };
  },
});

export const addSecretRoute = defineRoute({
  method: "POST",
  path: "/api/v1/applications/{id}/passwordCredentials",
  operationId: "addClientSecret",
  summary: "Add a client secret: its value is in this answer and never again",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: appParams,
  body: z
    .object({
      displayName: z.string().max(256).optional(),
      expiresInDays: z
        .number()
        .int()
        .min(1)
        .max(MAX_SECRET_LIFETIME_DAYS)
        .optional()
        .describe(`Default ${DEFAULT_SECRET_LIFETIME_DAYS}.`),
    })
    .strict(),
  response: secretSchema
    .extend({ secretText: z.string().describe("The secret. Store it now: it is not kept.") })
    .meta({ id: "AddedPasswordCredential" }),
  status: 201,
  errors: [APP_NOT_FOUND],
  async handler(ctx) {
    const added = await addClientSecret(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.body,
      actorOf(ctx.caller),
    );
    ctx.reply.header("cache-control", "no-store");
    return { ...secretView(added), secretText: added.secret };
  },
});

export const removeSecretRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/applications/{id}/passwordCredentials/{keyId}",
  operationId: "removeClientSecret",
  summary: "Delete a client secret",
  description: "Clients presenting it are refused from their next token request on.",
  tags: TAGS,
  permission: PERMISSIONS.writeApplications,
  params: z.object({ id: objectId("application"), keyId: objectId("secret") }),
  response: noContent,
  status: 204,
  errors: [
    APP_NOT_FOUND,
    { status: 404, code: "application.secret_not_found", description: "No such secret." },
  ],
  async handler(ctx) {
    await removeClientSecret(
      ctx.deps.database.db,
      ctx.caller.tenantId,
      ctx.params.id,
      ctx.params.keyId,
      actorOf(ctx.caller),
    );
    return undefined;
  },
});

/** App registrations: the registration, its redirect URIs and secrets (issue 7). */
export const applicationRoutes: AdminRoute[] = [
  listApplicationsRoute,
  createApplicationRoute,
  getApplicationRoute,
  updateApplicationRoute,
  addRedirectUriRoute,
  removeRedirectUriRoute,
  listSecretsRoute,
  addSecretRoute,
  removeSecretRoute,
];
