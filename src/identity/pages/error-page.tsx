import { COPY_BUTTON_SCRIPT } from "../../platform/http/index.ts";
import { Layout } from "./layout.tsx";

export interface TroubleshootingDetails {
  code: number;
  requestId: string;
  correlationId: string;
  timestamp: string;
  message: string;
  /** The signed-in user's email (user principal name), when the page knows who it stopped. */
  userPrincipalName?: string | undefined;
  appName?: string | undefined;
  appId?: string | undefined;
  ip: string;
}

export interface ErrorPageProps {
  title: string;
  /** What happened and what to do, in plain words. */
  explanation: string;
  details: TroubleshootingDetails;
  errorUri: string;
  /** Where "Back to the application" leads (a redirect carrying the error), when it may. */
  continueUrl?: string | undefined;
}

function detailLines(d: TroubleshootingDetails): Array<[string, string]> {
  const lines: Array<[string, string]> = [
    ["Error Code", String(d.code)],
    ["Request Id", d.requestId],
    ["Correlation Id", d.correlationId],
    ["Timestamp", d.timestamp],
    ["Message", d.message],
  ];
  if (d.userPrincipalName) lines.push(["User", d.userPrincipalName]);
  if (d.appName) lines.push(["App name", d.appName]);
  if (d.appId) lines.push(["App id", d.appId]);
  lines.push(["IP address", d.ip]);
  return lines;
}

/**
 * An error the user sees instead of being sent back to the app: an unknown app, a redirect
 * URI the app did not register (RFC 6749 section 4.1.2.1: never redirect there), an unknown
 * tenant. Ends with Entra's "Troubleshooting details" block, as selectable text, and with
 * JavaScript a "Copy info to clipboard" button that copies that text in one click.
 */
export function ErrorPage(props: ErrorPageProps) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      <p>{props.explanation}</p>
      <p className="muted">
        Error code AST{props.details.code}. <a href={props.errorUri}>What does this mean?</a>
      </p>
      {props.continueUrl ? (
        <p>
          <a href={props.continueUrl}>Back to the application</a>
        </p>
      ) : null}
      <TroubleshootingBlock details={props.details} />
    </Layout>
  );
}

/**
 * Entra's "Troubleshooting details": the lines an administrator needs to find the event in the
 * sign-in logs (request id, correlation id, timestamp), as selectable text, and with JavaScript
 * a "Copy info to clipboard" button that copies that text in one click. Shared by every page
 * that ends a sign-in with an error.
 */
export function TroubleshootingBlock(props: { details: TroubleshootingDetails }) {
  const lines = detailLines(props.details);
  return (
    <>
      <section aria-labelledby="troubleshooting">
        <h2 id="troubleshooting" style={{ fontSize: "16px", marginTop: "24px" }}>
          Troubleshooting details
        </h2>
        <p className="muted">If you contact your administrator, send this info to them.</p>
        <dl className="trouble">
          {lines.map(([name, value]) => [
            <dt key={`${name}-t`}>{name}</dt>,
            <dd key={`${name}-d`}>{value}</dd>,
          ])}
        </dl>
        {/* Revealed by the script: without JavaScript the text below is there to select. */}
        <p className="copy-actions">
          <button
            type="button"
            className="secondary"
            data-copy-from="troubleshooting-text"
            data-copy-status="troubleshooting-copied"
            hidden
          >
            Copy info to clipboard
          </button>
          <span id="troubleshooting-copied" className="muted" role="status" aria-live="polite" />
        </p>
        <details>
          <summary>Show as text to copy</summary>
          <pre id="troubleshooting-text" className="copy">
            {lines.map(([name, value]) => `${name}: ${value}`).join("\n")}
          </pre>
        </details>
      </section>
      {/* A constant script the Content-Security-Policy allows by its hash (page-scripts.ts). */}
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant, not page data */}
      <script dangerouslySetInnerHTML={{ __html: COPY_BUTTON_SCRIPT }} />
    </>
  );
}
