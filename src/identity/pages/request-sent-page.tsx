import { AppHeader, type AppIdentity } from "./app-identity.tsx";
import { Layout } from "./layout.tsx";
import { type PermissionItem, PermissionList } from "./permission-list.tsx";

/** A justification as the user typed it: line breaks kept, long words wrapped. */
export const QUOTE = {
  margin: "0 0 12px",
  padding: "8px 12px",
  borderLeft: "4px solid #d1d5db",
  whiteSpace: "pre-wrap",
  overflowWrap: "anywhere",
} as const;

export interface RequestSentPageProps {
  app: AppIdentity;
  userPrincipalName: string;
  permissions: PermissionItem[];
  /** The justification as the request stores it. */
  justification: string;
  /** Whether the tenant emails its reviewers about new requests. */
  reviewersNotified: boolean;
  /** The request status page, where the user can come back to follow or withdraw it. */
  statusUrl: string;
  /** When the request expires without a decision (a date the user reads). */
  expiresOn?: string | undefined;
  /** The form that returns to the app without access (AADSTS90095). */
  returnUrl: string;
  csrfToken: string;
}

/**
 * "Request sent": the request for approval is with the organisation's reviewers. Says what was
 * asked, who will look at it, where to follow it, and lets the user go back to the app (which
 * learns that approval is pending: AADSTS90095).
 */
export function RequestSentPage(props: RequestSentPageProps) {
  return (
    <Layout title="Request sent">
      <p className="muted">{props.userPrincipalName}</p>
      <h1>Request sent</h1>
      <AppHeader app={props.app} />
      <p className="notice" role="status">
        Your request for approval was sent.{" "}
        {props.reviewersNotified
          ? "The reviewers in your organization have been notified by email."
          : "The reviewers in your organization will see it in their list of requests."}{" "}
        You will get an email when it is decided.
      </p>
      <PermissionList items={props.permissions} label="Permissions you asked for" />
      <p>Your reason:</p>
      <blockquote style={QUOTE}>{props.justification}</blockquote>
      {props.expiresOn ? (
        <p>If nobody decides by {props.expiresOn}, the request expires and you can ask again.</p>
      ) : null}
      <p>
        <a href={props.statusUrl}>See the status of your request</a>. You can come back to that page
        at any time, and withdraw the request there.
      </p>
      <form method="post" action={props.returnUrl}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <input type="hidden" name="screen" value="request_sent" />
        <div className="actions">
          <button type="submit">Back to the app</button>
        </div>
      </form>
    </Layout>
  );
}
