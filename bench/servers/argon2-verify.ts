import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { hash, verify } from "@node-rs/argon2";
import { onStop, ready } from "./common.ts";

/**
 * The password flow's bound: one argon2id verify per POST, with Assent's parameters
 * (src/platform/crypto/passwords.ts, OWASP option 2) and its library (@node-rs/argon2, which
 * runs on libuv's thread pool as it does in Assent). Measured by the same load generator as
 * the sign-in flows, in the same run, so "Assent ÷ this" is the fraction of the raw rate the
 * full flow reaches. Nothing else is done per request; no database.
 */
const ARGON2ID = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const password = "correct horse battery staple";
const stored = await hash(password, ARGON2ID);

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    verify(stored, password).then(
      (ok) => {
        res.statusCode = ok ? 204 : 500;
        res.end();
      },
      (error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      },
    );
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
onStop(async () => {
  await new Promise((r) => server.close(r));
});

ready({
  system: "raw argon2id verify",
  argon2VerifyUrl: `${base}/verify`,
  // Unused: this system only verifies.
  tokenEndpoint: base,
  authorizationEndpoint: base,
  clientId: "-",
  clientSecret: "-",
  redirectUri: base,
  clientCredentialsParams: {},
  authorizeScope: "",
  login: { kind: "auto" },
});
