import type { ListedMessage } from "../connect-client.ts";
import type { CrmSession } from "../session.ts";
import { Layout, PostButton, render } from "./layout.tsx";

type Pending = NonNullable<CrmSession["pending"]>;

/** Not connected: what the app wants, and the button that starts Connect's hosted auth. */
export function connectPage(props: { csrfToken: string; notice?: string | undefined }): string {
  return render(
    <Layout title="Connect your mailbox">
      {props.notice ? (
        <p className="alert" role="alert">
          {props.notice}
        </p>
      ) : null}
      <section>
        <h1>Connect your mailbox</h1>
        <p>
          Northwind CRM files your customer conversations for you. Connect your work mailbox and it
          will read your recent mail.
        </p>
        <form method="post" action="/connect">
          <input type="hidden" name="csrf_token" value={props.csrfToken} />
          <label htmlFor="login_hint">Work email (optional)</label>
          <input
            id="login_hint"
            name="login_hint"
            type="email"
            autoComplete="email"
            placeholder="you@contoso.com"
          />
          <div>
            <button type="submit">Connect your mailbox</button>
          </div>
        </form>
        <p className="muted">
          You will sign in with your organisation's account; it may ask an administrator to approve
          Northwind CRM first.
        </p>
      </section>
    </Layout>,
  );
}

/** Waiting for an administrator: what happened, what to do, and "Try again". */
export function waitingPage(props: {
  csrfToken: string;
  pending: Pending;
  approvalPageUrl: string | undefined;
}): string {
  const { pending } = props;
  const requested = pending.outcome === "approval_requested";
  return render(
    <Layout title="Waiting for approval">
      <section>
        <h1>Waiting for your administrator's approval</h1>
        <p className="status" role="status">
          {requested
            ? "Your organisation requires an administrator to approve Northwind CRM before it can read your mail. Your request for approval was sent to them."
            : "Your organisation requires an administrator to approve Northwind CRM before it can read your mail. Share the approval page with your administrator."}
        </p>
        {pending.email ? <p>Account: {pending.email}</p> : null}
        <p>
          You will get an email when your administrator has decided. Once Northwind CRM is approved,
          select Try again to finish connecting.
        </p>
        {props.approvalPageUrl ? (
          <p>
            <a href={props.approvalPageUrl}>Approval page for your administrator</a>
          </p>
        ) : null}
        <div className="actions">
          <PostButton
            action="/connect"
            csrfToken={props.csrfToken}
            label="Try again"
            fields={pending.email ? { login_hint: pending.email } : {}}
          />
          <PostButton
            action="/disconnect"
            csrfToken={props.csrfToken}
            label="Use another account"
            secondary
          />
        </div>
      </section>
    </Layout>,
  );
}

/** Another outcome: Connect's description, and "Try again". */
export function outcomePage(props: {
  csrfToken: string;
  title: string;
  description: string;
  loginHint?: string | undefined;
}): string {
  return render(
    <Layout title={props.title}>
      <section>
        <h1>{props.title}</h1>
        <p className="alert" role="alert">
          {props.description}
        </p>
        <PostButton
          action="/connect"
          csrfToken={props.csrfToken}
          label="Try again"
          fields={props.loginHint ? { login_hint: props.loginHint } : {}}
        />
      </section>
    </Layout>,
  );
}

function when(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : "";
}

/** Connected: the mailbox's recent messages, read through Connect. */
export function mailboxPage(props: {
  csrfToken: string;
  email: string;
  messages: ListedMessage[];
}): string {
  return render(
    <Layout title="Your mailbox">
      <section>
        <h1>Your mailbox is connected</h1>
        <p className="ok" role="status">
          Northwind CRM reads the mail of <strong>{props.email}</strong>.
        </p>
        <PostButton action="/disconnect" csrfToken={props.csrfToken} label="Disconnect" secondary />
      </section>
      <section>
        <h2>Recent messages</h2>
        {props.messages.length === 0 ? <p>No messages yet.</p> : null}
        <ul className="messages">
          {props.messages.map((m) => (
            <li key={m.id}>
              <div className="subject">{m.subject || "(no subject)"}</div>
              <div className="muted">
                {m.from} · {when(m.date)}
              </div>
              <div className="snippet">{m.snippet}</div>
            </li>
          ))}
        </ul>
      </section>
    </Layout>,
  );
}

/** A request the app cannot take (a stale callback, a form without its token). */
export function problemPage(props: { title: string; message: string }): string {
  return render(
    <Layout title={props.title}>
      <section>
        <h1>{props.title}</h1>
        <p className="alert" role="alert">
          {props.message}
        </p>
        <p>
          <a href="/">Back to Northwind CRM</a>
        </p>
      </section>
    </Layout>,
  );
}
