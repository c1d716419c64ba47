/** One permission as a person reads it: its consent display name and description. */
export interface PermissionItem {
  /** The scope or app role value, e.g. "Mail.Read". */
  value: string;
  title: string;
  description: string;
  /** The API it belongs to, e.g. "Assent Mail". */
  resourceName: string;
  kind: "delegated" | "application";
}

/** The list of permissions on the consent screens; each title is followed by its description. */
export function PermissionList(props: { items: PermissionItem[]; label: string }) {
  return (
    <ul className="permissions" aria-label={props.label}>
      {props.items.map((p) => (
        <li key={`${p.resourceName}/${p.kind}/${p.value}`}>
          <strong>{p.title}</strong>
          <span className="muted">
            {" "}
            ({p.resourceName}: {p.value}
            {p.kind === "application" ? ", application permission" : ""})
          </span>
          <br />
          <span className="description">{p.description}</span>
        </li>
      ))}
    </ul>
  );
}
