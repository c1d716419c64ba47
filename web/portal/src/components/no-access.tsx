import { useMe } from "../auth/capabilities.ts";
import { Link } from "./link.tsx";

/**
 * What a deep link to a page the signed-in user may not open shows (the API would answer 403
 * to every call the page makes): which roles they hold, and where to go instead.
 */
export function NoAccess(props: { base: string; page: string }) {
  const { me } = useMe();
  const roles = me?.directoryRoles.map((r) => r.displayName) ?? [];
  return (
    <>
      <h1>You don't have access to this page</h1>
      <p role="alert">
        {props.page} needs a directory role you do not hold. You hold{" "}
        {roles.length ? roles.join(", ") : "no directory role"}. An administrator can assign you a
        role if you need this page.
      </p>
      <p>
        <Link to={props.base}>Go to the overview</Link>
      </p>
    </>
  );
}
