import { Fragment, type ReactNode, useEffect, useId, useRef } from "react";
import type { AuditActor, DirectoryAudit } from "../../api/types.ts";
import { When } from "../../components/status.tsx";

/** Who did it, in words. */
export function actorName(a: AuditActor): string {
  return a.userPrincipalName ?? a.displayName ?? a.name ?? a.id ?? a.type;
}

/** A property value as text (JSON for anything but a string). */
function valueText(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The details panel of one audit event: actor, targets, and each modified property. */
export function AuditDetails(props: { event: DirectoryAudit; onClose(): void }) {
  const { event: e } = props;
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus on each event shown
  useEffect(() => {
    heading.current?.focus();
  }, [e.id]);
  const rows: Array<[string, ReactNode]> = [
    ["Activity", e.activityDisplayName],
    ["Date", <When key="at" at={e.activityDateTime} />],
    ["Timestamp (UTC)", e.activityDateTime],
    ["Category", e.category],
    ["Result", e.result],
    ["Initiated by", `${actorName(e.initiatedBy)} (${e.initiatedBy.type})`],
    ["Correlation id", e.correlationId ?? "—"],
    ["Event id", e.id],
    [
      "Targets",
      e.targetResources.length
        ? e.targetResources.map((t) => `${t.displayName ?? t.id} (${t.type})`).join(", ")
        : "—",
    ],
  ];
  return (
    <section className="details" aria-labelledby={id}>
      <h2 id={id} ref={heading} tabIndex={-1}>
        Audit event details
      </h2>
      <dl className="facts">
        {rows.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
      {e.modifiedProperties.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption>Modified properties</caption>
            <thead>
              <tr>
                <th scope="col">Property</th>
                <th scope="col">Old value</th>
                <th scope="col">New value</th>
              </tr>
            </thead>
            <tbody>
              {e.modifiedProperties.map((p) => (
                <tr key={p.name}>
                  <td>{p.name}</td>
                  <td>{valueText(p.oldValue)}</td>
                  <td>{valueText(p.newValue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <button type="button" onClick={props.onClose}>
        Close details
      </button>
    </section>
  );
}
