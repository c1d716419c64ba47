import { renderToStaticMarkup } from "react-dom/server";
import type { Mailbox, MessageRow } from "../mailbox/index.ts";
import { bodyText } from "../mailbox/index.ts";
import { LinkifiedText } from "./linkified-text.tsx";

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.05rem; margin: 0; }
article { border: 1px solid #d0d0d0; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
.meta { color: #555; font-size: .85rem; }
pre { white-space: pre-wrap; word-break: break-word; font: inherit; margin: .75rem 0 0; }
.note { background: #fff4ce; padding: .5rem .75rem; border-radius: 4px; font-size: .85rem; }
`;

function Layout({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        {children}
        <p className="note">
          Development mailbox viewer of Assent Mail: served to this machine (loopback) only.
        </p>
      </body>
    </html>
  );
}

const who = (name: string | null, address: string) => (name ? `${name} <${address}>` : address);

/** The list of mailboxes, each linking to its messages. */
export function mailboxIndexPage(mailboxes: Mailbox[]): string {
  return render(
    <Layout title="Mailboxes · Assent Mail">
      <h1>Mailboxes</h1>
      {mailboxes.length === 0 ? (
        <p>No mailbox has received mail yet.</p>
      ) : (
        <ul>
          {mailboxes.map((m) => (
            <li key={m.id}>
              <a href={`/mailbox?address=${encodeURIComponent(m.address)}`}>{m.address}</a>
              {m.displayName ? ` (${m.displayName})` : ""}
            </li>
          ))}
        </ul>
      )}
    </Layout>,
  );
}

/** One mailbox's messages, newest first, bodies as text with clickable links. */
export function mailboxMessagesPage(mailbox: Mailbox, messages: MessageRow[]): string {
  return render(
    <Layout title={`${mailbox.address} · Assent Mail`}>
      <p>
        <a href="/mailbox">All mailboxes</a>
      </p>
      <h1>{mailbox.address}</h1>
      {messages.length === 0 ? <p>No messages.</p> : null}
      {messages.map((m) => (
        <article key={m.id}>
          <h2>{m.subject || "(no subject)"}</h2>
          <div className="meta">
            {m.folder === "sentitems" ? "Sent · " : ""}From {who(m.from_name, m.from_address)} · To{" "}
            {m.to_recipients.map((r) => who(r.name, r.address)).join(", ") || "(undisclosed)"} ·{" "}
            {m.received_at.toISOString().replace("T", " ").slice(0, 19)} UTC
          </div>
          <pre>
            <LinkifiedText
              text={bodyText({ contentType: m.body_content_type, content: m.body_content })}
            />
          </pre>
        </article>
      ))}
    </Layout>,
  );
}

/** A short page for a mailbox that does not exist. */
export function noMailboxPage(address: string): string {
  return render(
    <Layout title="No such mailbox · Assent Mail">
      <h1>No mailbox for {address}</h1>
      <p>
        Nothing has been delivered to it yet. <a href="/mailbox">See all mailboxes</a>.
      </p>
    </Layout>,
  );
}

function render(element: React.ReactElement): string {
  return `<!doctype html>${renderToStaticMarkup(element)}`;
}
