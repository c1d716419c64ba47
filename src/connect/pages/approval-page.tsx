import type { ProviderName } from "../tables.ts";
import { Details, Layout } from "./layout.tsx";

// The steps an administrator takes, adapted to where the organisation's accounts live
// (reference/scenario-admin-approval.md is the Microsoft version).
const STEPS: Record<ProviderName, { approve: string[]; enable: string[] }> = {
  microsoft: {
    approve: [
      "Open the approval link above and sign in with an administrator account of your organisation.",
      "Review the permissions the app asks for and accept them for the whole organisation.",
      "Or: in the Microsoft Entra admin center, open Enterprise applications > Admin consent requests, find the request and approve it.",
    ],
    enable: [
      "Enterprise applications > User settings: turn on 'Users can request admin consent to apps they are unable to consent to', so users can ask from the sign-in screen.",
      "Enterprise applications > Consent and permissions > User consent settings: allow user consent for apps from verified publishers, for selected permissions, if your policy permits.",
    ],
  },
  assent: {
    approve: [
      "Open the approval link above and sign in with an administrator account of your organisation.",
      "Review the permissions the app asks for and accept them for the whole organisation.",
      "Or: in the Assent admin portal, open Admin consent requests, find the request and approve it.",
    ],
    enable: [
      "Turn on the admin consent workflow (users can request approval) and choose its reviewers.",
      "Or allow user consent for low-risk permissions in the permission grant policies.",
    ],
  },
  google: {
    approve: [
      "Sign in to the Google Admin console as an administrator.",
      "Open Security > Access and data control > API controls > Manage Third-Party App Access.",
      "Add the app by its client ID (below) and mark it Trusted.",
    ],
    enable: ["Once the app is trusted, users of your organisation can connect it themselves."],
  },
};

/**
 * The page a user shares with their administrator: who asked, for which app, the admin-consent
 * link for their organisation, and the steps to approve or to let users request approval.
 */
export function ApprovalPage(props: {
  appName: string;
  provider: ProviderName;
  email: string;
  organisation: string;
  status: "pending" | "approved";
  adminConsentUrl: string | undefined;
  clientId: string;
  requestedAt: string;
}) {
  const steps = STEPS[props.provider];
  const who = props.email || "A user of your organisation";
  return (
    <Layout title={`Approve ${props.appName}`}>
      <h1>Approve {props.appName} for your organisation</h1>
      {props.status === "approved" ? (
        <p>
          <strong>Approved.</strong> This app has been approved; {props.email || "the user"} has
          been sent a link to finish connecting.
        </p>
      ) : (
        <p>
          {who} tried to connect their mailbox to {props.appName}, and your organisation requires an
          administrator to approve the app first.
        </p>
      )}
      {props.adminConsentUrl && props.status === "pending" ? (
        <p>
          <a className="button" href={props.adminConsentUrl}>
            Review and approve as an administrator
          </a>
        </p>
      ) : null}
      <h2>To approve</h2>
      <ol>
        {steps.approve.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      <h2>To let users ask, or allow it themselves</h2>
      <ol>
        {steps.enable.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      <Details
        rows={[
          ["Application", props.appName],
          ["Client ID", props.clientId],
          ["Organisation", props.organisation],
          ["Requested by", props.email],
          ["First attempt", props.requestedAt],
        ]}
      />
    </Layout>
  );
}
