/** Whether a user may sign in, as a badge with the word (not the colour alone) saying it. */
export function EnabledBadge(props: { enabled: boolean }) {
  return props.enabled ? (
    <span className="badge success">Enabled</span>
  ) : (
    <span className="badge blocked">Disabled</span>
  );
}
