import { z } from "zod";
import { ADMIN_PERMISSIONS, ADMIN_RESOURCE } from "../apps/admin-resource.ts";
import { directoryRoleName } from "../directory/index.ts";
import type { AdminRoute } from "./route.ts";

type JsonSchema = Record<string, unknown>;

/** The admin API error envelope (src/platform/http/errors.ts), documented once. */
const apiErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Namespaced, e.g. "authorization.role_required".'),
      message: z.string().describe("What happened and what to do next."),
      details: z.unknown().optional(),
    }),
    request_id: z.string(),
  })
  .meta({ id: "ApiError" });

const COMMON_ERRORS: Record<string, string> = {
  "400": "The request is not valid (`request.invalid`, with a detail per field).",
  "401":
    "No access token, or a bad one (`authentication.required`, `authentication.invalid_token`).",
  "403":
    "The token lacks the permission (`authorization.insufficient_scope`) or the signed-in user lacks a directory role (`authorization.role_required`).",
};

/**
 * Converts a zod schema to JSON Schema 2020-12 (what OpenAPI 3.1 uses), moving schemas that
 * carry an id (`.meta({ id })`) into `components.schemas` and pointing at them there.
 */
function toJsonSchema(
  schema: z.ZodType,
  io: "input" | "output",
  components: Record<string, JsonSchema>,
): JsonSchema {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  const text = JSON.stringify(converted).replaceAll('"#/$defs/', '"#/components/schemas/');
  const {
    $schema: _,
    $defs,
    ...rest
  } = JSON.parse(text) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  for (const [id, def] of Object.entries($defs ?? {})) components[id] ??= def;
  return rest;
}

function parametersOf(
  schema: z.ZodType | undefined,
  location: "path" | "query",
  components: Record<string, JsonSchema>,
): JsonSchema[] {
  if (!schema) return [];
  const json = toJsonSchema(schema, "input", components) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === "path" || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function permissionText(route: AdminRoute): string {
  const { anyOf, directoryRoles } = route.permission;
  return [
    `Permission: ${anyOf.join(" or ")} (delegated: in \`scp\`, and ${directoryRoles === "checked_by_route" ? "the operation checks the signed-in user itself" : `the signed-in user holds one of ${directoryRoles.map(directoryRoleName).join(", ")}`}; application: in \`roles\`).`,
  ].join("\n");
}

/**
 * The OpenAPI 3.1 document of the admin API, built from the routes' own zod schemas.
 *
 * @example
 * const doc = buildOpenApiDocument(ADMIN_API_ROUTES, { serverUrl: config.identity.publicUrl });
 */
export function buildOpenApiDocument(
  routes: readonly AdminRoute[],
  options: { serverUrl: string; version?: string },
): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const errorRef = toJsonSchema(apiErrorSchema, "output", components);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const status = route.status ?? 200;
    const content: Record<string, JsonSchema> = {};
    // 204 No Content has no body to describe.
    if (status !== 204) {
      const responseSchema = toJsonSchema(route.response, "output", components);
      for (const type of route.produces ?? ["application/json"])
        content[type] = { schema: responseSchema };
    }
    const responses: Record<string, JsonSchema> = {
      [String(status)]: {
        description: route.summary,
        ...(status === 204 ? {} : { content }),
      },
    };
    // Several errors may share a status (two kinds of 404): each is listed under it.
    const errors = new Map<string, string[]>(
      Object.entries(COMMON_ERRORS).map(([httpStatus, description]) => [httpStatus, [description]]),
    );
    for (const e of route.errors ?? []) {
      const key = String(e.status);
      errors.set(key, [...(errors.get(key) ?? []), `\`${e.code}\`: ${e.description}`]);
    }
    for (const [key, descriptions] of errors)
      responses[key] = {
        description: descriptions.join("\n"),
        content: { "application/json": { schema: errorRef } },
      };
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      description: [route.description, permissionText(route)].filter(Boolean).join("\n\n"),
      tags: route.tags,
      parameters: [
        ...parametersOf(route.params, "path", components),
        ...parametersOf(route.query, "query", components),
      ],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                "application/json": { schema: toJsonSchema(route.body, "input", components) },
              },
            },
          }
        : {}),
      responses,
      security: [{ bearer: [] }],
      "x-permissions": route.permission,
    };
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Assent Identity admin API",
      version: options.version ?? "1",
      description: `Bearer access tokens issued by the caller's tenant (issuer \`{publicUrl}/{tenantId}/v2.0\`) for ${ADMIN_RESOURCE.identifierUri}. Every operation acts on the token's tenant (its \`tid\`).`,
    },
    servers: [{ url: options.serverUrl }],
    // Every tag, in the order its first operation appears (the docs page groups by them).
    tags: [...new Set(routes.flatMap((r) => r.tags))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: `An access token for ${ADMIN_RESOURCE.identifierUri}. Delegated permissions: ${ADMIN_PERMISSIONS.join(", ")} (scp), checked with the user's current directory roles; the same values as application permissions (roles) for automation.`,
        },
      },
    },
  };
}
