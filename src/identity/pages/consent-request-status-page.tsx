import { AppHeader, type AppIdentity } from "./app-identity.tsx";
import { Layout } from "./layout.tsx";
import { QUOTE } from "./request-sent-page.tsx";

/** The states of a consent request, as the requester sees them. */
export type RequestStatusShown =
  | "pending"
  | "approved"
  | "denied"
  | "blocked"
  | "expired"
  | "withdrawn";

export interface ConsentRequestStatusPageProps {
  userPrincipalName: string;
  tenantName: string;
  app: AppIdentity;
  status: RequestStatusShown;
  /** For an approved request: whether the approval covers this user. */
  approvedForYou: boolean | null;
  /** The reviewer's reason (denied, blocked). */
  reason: string | null;
  justification: string;
  /** What this user asked for, by API. */
  scopes: Array<{ resourceName: string; scopes: string[] }>;
  /** Dates as the user reads them. */
  requestedAt: string;
  expiresAt: string;
  decidedAt: string | null;
  /** "Withdraw", while the request is pending for this user. */
  withdraw?: { url: string; csrfToken: string } | undefined;
  /** "Try again": where signing in to the app starts over, for an approval that covers the user. */
  tryAgainUrl?: string | undefined;
  myAppsUrl: string;
  notice?: string | undefined;
}

function summary(p: ConsentRequestStatusPageProps): { title: string; text: string } {
  const on = p.decidedAt ? ` on ${p.decidedAt}` : "";
  switch (p.status) {
    case "pending":
      return {
        title: "Waiting for a reviewer",
        text: `Your request is waiting for a reviewer in your organization. If nobody decides by ${p.expiresAt}, it expires and you can ask again.`,
      };
    case "approved":
      return p.approvedForYou
        ? {
            title: "Approved",
            text: `An administrator approved this app for you${on}. Sign in to the app again to use it.`,
          }
        : {
            title: "Approved for others, not for you",
            text: `An administrator approved this app${on} for some people in your organization, but the approval does not include you. If you need it too, ask again the next time you sign in to the app.`,
          };
    case "denied":
      return {
        title: "Denied",
        text: `An administrator denied this request${on}. You can ask again the next time you sign in to the app.`,
      };
    case "blocked":
      return {
        title: "Your organization has blocked this app",
        text: `An administrator blocked this app${on}. You cannot use it or ask for it again.`,
      };
    case "expired":
      return {
        title: "Expired",
        text: `Nobody decided on this request before it expired on ${p.expiresAt}. You can ask again the next time you sign in to the app.`,
      };
    case "withdrawn":
      return {
        title: "Withdrawn",
        text: "You withdrew this request. You can ask again the next time you sign in to the app.",
      };
  }
}

/**
 * The requester's page for one consent request (`/{tenant}/consent-requests/{id}`): where it
 * stands, the reviewer's reason, what was asked and when, "Withdraw" while it is pending and
 * "Try again" once it is approved for them. Entra only tells requesters by email.
 */
export function ConsentRequestStatusPage(props: ConsentRequestStatusPageProps) {
  const { title, text } = summary(props);
  return (
    <Layout title={`Request for approval: ${title}`}>
      <p className="muted">
        {props.userPrincipalName} ({props.tenantName})
      </p>
      <h1>Your request for approval</h1>
      <AppHeader app={props.app} />
      {props.notice ? (
        <p className="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      <h2 style={{ fontSize: "18px", margin: "16px 0 8px" }}>Status: {title}</h2>
      <p>{text}</p>
      {props.reason ? (
        <>
          <p>The reviewer's reason:</p>
          <blockquote style={QUOTE}>{props.reason}</blockquote>
        </>
      ) : null}
      {props.tryAgainUrl ? (
        <p>
          <a href={props.tryAgainUrl}>Try again</a>
        </p>
      ) : null}
      <p className="muted">
        Requested {props.requestedAt}.{" "}
        {props.status === "pending" ? `Expires ${props.expiresAt}.` : ""}
        {props.decidedAt && props.status !== "expired" ? ` Decided ${props.decidedAt}.` : ""}
      </p>
      <p>You asked for:</p>
      <ul className="scopes">
        {props.scopes.map((s) => (
          <li key={s.resourceName}>
            {s.resourceName}: {s.scopes.join(", ")}
          </li>
        ))}
      </ul>
      <p>Your reason:</p>
      <blockquote style={QUOTE}>{props.justification}</blockquote>
      {props.withdraw ? (
        <form method="post" action={props.withdraw.url}>
          <input type="hidden" name="csrf_token" value={props.withdraw.csrfToken} />
          <div className="actions">
            <button type="submit" className="secondary">
              Withdraw
            </button>
          </div>
        </form>
      ) : null}
      <p>
        <a href={props.myAppsUrl}>My apps</a>
      </p>
    </Layout>
  );
}
