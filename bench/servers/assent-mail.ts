import pino from "pino";
import { loadConfig } from "../../src/config/index.ts";
import { addHostedDomain, deliver, startMailService } from "../../src/mail/index.ts";
import { onStop, openBenchDatabase, ready } from "./common.ts";

/**
 * Assent's Mail service as `assent serve mail` runs it (startMailService: the Graph-shaped API
 * and the SMTP intake), trusting the Identity node the harness started first
 * (BENCH_ISSUER_BASE), on the same database. The bench user's domain is hosted for the bench
 * tenant and its inbox holds a few messages, so a request reads a real page of mail after
 * validating the caller's JWT (signature against the Identity's JWKS, issuer, audience, roles).
 */
const issuerBase = process.env.BENCH_ISSUER_BASE;
const tenantId = process.env.BENCH_TENANT_ID;
const mailbox = process.env.BENCH_MAILBOX;
if (!issuerBase || !tenantId || !mailbox)
  throw new Error("assent-mail needs BENCH_ISSUER_BASE, BENCH_TENANT_ID and BENCH_MAILBOX");

const database = await openBenchDatabase();
const config = loadConfig({
  ASSENT_HOST: "127.0.0.1",
  ASSENT_MAIL_PORT: "0",
  ASSENT_MAIL_SMTP_PORT: "0",
  ASSENT_MAIL_TRUSTED_ISSUER_BASE: issuerBase,
  ASSENT_MAIL_MAILBOX_PAGE: "false",
  LOG_LEVEL: "silent",
});
const mail = await startMailService(config, pino({ level: "silent" }), database);
await addHostedDomain(database.db, mailbox.split("@")[1] ?? "", tenantId);
for (let i = 0; i < 25; i++)
  await deliver(database.db, {
    from: { address: "sender@elsewhere.example", name: "Sender" },
    toRecipients: [{ address: mailbox }],
    subject: `Bench message ${i}`,
    body: { contentType: "text", content: `Message ${i} of the bench mailbox.` },
  });
onStop(async () => {
  await mail.stop();
  await database.close();
});

ready({ mailUrl: `http://127.0.0.1:${mail.ports.http}` });
