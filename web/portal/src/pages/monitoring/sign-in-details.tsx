import { Fragment, type ReactNode, useEffect, useId, useRef } from "react";
import type { SignIn } from "../../api/types.ts";
import { When } from "../../components/status.tsx";
import { signInStatusLabel } from "./sign-in-logs.tsx";

/**
 * The details panel of one sign-in: the troubleshooting fields a user reads off an error page
 * (request id, correlation id, timestamp, error code) and what the administrator needs beside
 * them. Focus moves to its heading when it opens.
 */
export function SignInDetails(props: { event: SignIn; onClose(): void }) {
  const { event: e } = props;
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus on each event shown
  useEffect(() => {
    heading.current?.focus();
  }, [e.id]);
  const rows: Array<[string, ReactNode]> = [
    ["Request id", e.requestId],
    ["Correlation id", e.correlationId ?? "—"],
    ["Date", <When key="at" at={e.createdDateTime} />],
    ["Timestamp (UTC)", e.createdDateTime],
    ["Status", signInStatusLabel(e.status)],
    ["Error code", e.errorCode === 0 ? "0" : `AST${e.errorCode}`],
    ["Failure reason", e.failureReason ?? "—"],
    ["User", e.userPrincipalName ?? e.userId ?? "—"],
    ["Application", e.appDisplayName ? `${e.appDisplayName} (${e.appId})` : (e.appId ?? "—")],
    ["Resource", e.resourceDisplayName ?? "—"],
    ["IP address", e.ipAddress ?? "—"],
    ["User agent", e.userAgent ?? "—"],
    ["Client app", e.clientAppUsed ?? "—"],
    ["Sign-in type", e.isInteractive ? "Interactive" : "Non-interactive"],
  ];
  return (
    <section className="details" aria-labelledby={id}>
      <h2 id={id} ref={heading} tabIndex={-1}>
        Sign-in details
      </h2>
      <dl className="facts">
        {rows.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
      <button type="button" onClick={props.onClose}>
        Close details
      </button>
    </section>
  );
}
