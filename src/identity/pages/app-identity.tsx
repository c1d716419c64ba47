/**
 * Who is asking: the app's logo, name and publisher, as the consent screens show them. Every
 * value here comes from whoever registered the app (attacker-controlled): React escapes the
 * text, and the logo is only shown from an https: URL (never javascript:, data: or http:).
 */
export interface AppIdentity {
  name: string;
  appId?: string | undefined;
  logoUrl?: string | null | undefined;
  publisherName?: string | null | undefined;
  publisherVerified: boolean;
}

function safeLogo(url: string | null | undefined): string | undefined {
  const parsed = url ? URL.parse(url) : null;
  return parsed?.protocol === "https:" ? parsed.href : undefined;
}

export function AppHeader(props: { app: AppIdentity }) {
  const { app } = props;
  const logo = safeLogo(app.logoUrl);
  return (
    <div className="app">
      {logo ? <img src={logo} alt="" width={48} height={48} /> : null}
      <div>
        <p className="app-name">{app.name}</p>
        <p className="muted publisher">
          {app.publisherVerified ? (
            <>
              <span className="badge verified">Verified</span> {app.publisherName ?? ""}
            </>
          ) : (
            <>
              <span className="badge unverified">Unverified</span>
              {app.publisherName ? ` ${app.publisherName}` : ""}
            </>
          )}
        </p>
      </div>
    </div>
  );
}
