import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { type Caller, holdsAny, maySeeBodies } from "../auth/caller.ts";
import {
  accessDenied,
  badRequest,
  GraphError,
  refuseUnstorableText,
} from "../graph/graph-error.ts";
import { messageResource } from "../graph/message-resource.ts";
import { nextPageQuery, parseMessageListQuery, parseMessageQuery } from "../graph/odata-query.ts";
import { isGuid } from "../ids.ts";
import {
  type Mailbox,
  selectMessage,
  selectMessages,
  updateMessageIsRead,
} from "../mailbox/index.ts";
import type { MailFolder } from "../tables.ts";
import type { GraphRouteDeps } from "./deps.ts";
import { ownMailbox, requireDelegated, requireMailRead, userMailbox } from "./mailbox-access.ts";

type Params = { user?: string; folder?: string; id?: string };

// Graph's well-known folder names, matched case-insensitively as Graph does.
const FOLDERS: Record<string, MailFolder> = { inbox: "inbox", sentitems: "sentitems" };

function folderOf(name: string): MailFolder {
  const folder = FOLDERS[name.toLowerCase()];
  if (!folder)
    throw new GraphError(
      404,
      "ErrorItemNotFound",
      `The folder '${name}' was not found: Assent Mail has the folders 'inbox' and 'sentitems'.`,
    );
  return folder;
}

function messageIdOf(id: string): string {
  if (!isGuid(id)) throw badRequest("Id is malformed.", "ErrorInvalidIdMalformed");
  return id.toLowerCase();
}

const notFound = () =>
  new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");

// OData key literal: a single quote inside is doubled (OData 4.01 Part 2, §5.1.1.6.1).
const keyOf = (value: string) => `'${encodeURIComponent(value).replaceAll("'", "''")}'`;

// PATCH accepts the one property Mail lets a client change.
const MessagePatch = z.object({ isRead: z.boolean() }).strict();

/**
 * Message collections and items: `/me/messages`, `/me/mailFolders/{inbox|sentitems}/messages`,
 * `/me/messages/{id}` (GET, PATCH isRead), and the same under `/users/{id | upn}` for app-only
 * callers. Mail.ReadBasic gets messages without `body`/`bodyPreview`; Mail.Read and
 * Mail.ReadWrite get them whole; changing a message needs Mail.ReadWrite.
 */
export function messageRoutes(
  app: FastifyInstance,
  { db, authenticate, publicUrl }: GraphRouteDeps,
) {
  async function target(request: FastifyRequest<{ Params: Params }>) {
    const caller = await authenticate(request);
    const user = request.params.user;
    if (user === undefined) requireDelegated(caller);
    requireMailRead(caller);
    refuseUnstorableText(request);
    return {
      caller,
      resolve: () => (user === undefined ? ownMailbox(db, caller) : userMailbox(db, caller, user)),
      contextUser: keyOf(user ?? caller.objectId),
    };
  }

  async function list(request: FastifyRequest<{ Params: Params }>) {
    const { caller, resolve, contextUser } = await target(request);
    const query = parseMessageListQuery(request.query as Record<string, unknown>);
    const folder =
      request.params.folder === undefined ? undefined : folderOf(request.params.folder);
    const mailbox = await resolve();
    const rows = await selectMessages(db, {
      tenantId: mailbox.tenantId,
      mailboxId: mailbox.id,
      ...(folder ? { folder } : {}),
      order: query.order,
      limit: query.top + 1,
      offset: query.skip,
    });
    const view = { select: query.select, withBody: maySeeBodies(caller) };
    const path = request.url.split("?")[0];
    const folderPath = folder ? `/mailFolders('${folder}')` : "";
    const selected = query.select ? `(${query.select.join(",")})` : "";
    return {
      "@odata.context": `${publicUrl}/v1.0/$metadata#users(${contextUser})${folderPath}/messages${selected}`,
      value: rows.slice(0, query.top).map((row) => messageResource(row, view)),
      ...(rows.length > query.top
        ? { "@odata.nextLink": `${publicUrl}${path}?${nextPageQuery(query)}` }
        : {}),
    };
  }

  async function getOne(request: FastifyRequest<{ Params: Params }>) {
    const { caller, resolve, contextUser } = await target(request);
    const { select } = parseMessageQuery(request.query as Record<string, unknown>);
    const id = messageIdOf(request.params.id as string);
    const mailbox = await resolve();
    const row = await selectMessage(db, mailbox.tenantId, mailbox.id, id);
    if (!row) throw notFound();
    return {
      "@odata.context": `${publicUrl}/v1.0/$metadata#users(${contextUser})/messages/$entity`,
      ...messageResource(row, { select, withBody: maySeeBodies(caller) }),
    };
  }

  async function patch(
    request: FastifyRequest<{ Params: Params }>,
    caller: Caller,
    mailbox: Mailbox,
  ) {
    const body = MessagePatch.safeParse(request.body);
    if (!body.success)
      throw badRequest("Assent Mail can change only isRead (a boolean) on a message.");
    const id = messageIdOf(request.params.id as string);
    const row = await updateMessageIsRead(db, mailbox.tenantId, mailbox.id, id, body.data.isRead);
    if (!row) throw notFound();
    return {
      "@odata.context": `${publicUrl}/v1.0/$metadata#users(${keyOf(caller.objectId)})/messages/$entity`,
      ...messageResource(row, { withBody: maySeeBodies(caller) }),
    };
  }

  app.get("/me/messages", list);
  app.get("/me/mailFolders/:folder/messages", list);
  app.get("/me/messages/:id", getOne);
  app.patch("/me/messages/:id", async (request: FastifyRequest<{ Params: Params }>) => {
    const caller = await authenticate(request);
    requireDelegated(caller);
    if (!holdsAny(caller, ["Mail.ReadWrite"])) throw accessDenied(["Mail.ReadWrite"]);
    refuseUnstorableText(request);
    return patch(request, caller, await ownMailbox(db, caller));
  });
  app.get("/users/:user/messages", list);
  app.get("/users/:user/mailFolders/:folder/messages", list);
  app.get("/users/:user/messages/:id", getOne);
}
