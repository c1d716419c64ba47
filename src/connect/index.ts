/**
 * Assent Connect: the hosted "connect your mailbox" service an app developer embeds, with the
 * Nylas v3 authentication surface, where "approval required" is a typed state with a way back.
 * It never imports Identity: it talks to identity providers over OAuth/OIDC only, to apps over
 * its REST API and signed webhooks.
 *
 * - `createConnectApp(deps)`: the HTTP app (hosted auth, pages, /v3 API).
 * - `startConnectBackground(options)`: the outbox worker (webhooks, email).
 * - `startConnectService(options)`: both, listening (`assent serve connect`).
 * - `createConnectApplication(db, input)`: registers an application and its first API key.
 * - `rekeyConnect(db, keyRing)`: re-encrypts secrets and tokens still under an older key.
 */

export { type ConnectDeps, connectDb, createConnectApp } from "./app.ts";
export {
  type ConnectApplication,
  type CreatedApplication,
  createConnectApplication,
} from "./applications/index.ts";
export { type ConnectBackground, startConnectBackground } from "./background.ts";
export { ConnectError } from "./http/errors.ts";
export { classify, type Outcome, type OutcomeKind } from "./outcomes/classify.ts";
export { type RekeyResult, rekeyConnect } from "./rekey.ts";
export { type RunningConnectService, startConnectService } from "./service.ts";
export type { ConnectDB } from "./tables.ts";
