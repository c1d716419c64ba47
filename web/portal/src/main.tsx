import { createRoot } from "react-dom/client";
import { setApiSession } from "./api/client.ts";
import { App } from "./app.tsx";
import { CALLBACK_PATH, tenantOfPath } from "./auth/config.ts";
import { completeSignIn, currentSession, SignInError, startSignIn } from "./auth/session.ts";
import "./styles.css";

/**
 * Boot: the sign-in callback redeems its code and goes back to the page that asked; any other
 * portal URL needs a session for its tenant (signing in first, then landing on that very URL,
 * which is how an email's deep link opens its request).
 */
const root = createRoot(document.getElementById("root") as HTMLElement);

function problem(title: string, message: string, retry?: () => void) {
  root.render(
    <main id="main" className="problem">
      <h1>{title}</h1>
      <p role="alert">{message}</p>
      {retry ? (
        <button type="button" className="primary" onClick={retry}>
          Try again
        </button>
      ) : null}
    </main>,
  );
}

async function boot() {
  if (location.pathname === CALLBACK_PATH) {
    try {
      const returnTo = await completeSignIn(location.search);
      history.replaceState(null, "", returnTo);
    } catch (e) {
      const error = e instanceof SignInError ? e : new SignInError(String(e), undefined, undefined);
      const { tenant, returnTo } = error;
      return problem(
        "Sign-in did not complete",
        error.message,
        tenant ? () => void startSignIn(tenant, returnTo ?? `/${tenant}/portal`) : undefined,
      );
    }
  }
  const tenant = tenantOfPath(location.pathname);
  if (!tenant)
    return problem(
      "Which organization?",
      "Open the portal at /{your tenant id}/portal, for example from the link in a notification email.",
    );
  const session = currentSession(tenant);
  if (!session) return startSignIn(tenant, location.pathname + location.search);
  setApiSession(session);
  root.render(<App session={session} />);
}

void boot();
