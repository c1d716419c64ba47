import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";

const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2937; background: #f3f4f6; }
header { background: #0f766e; color: #fff; padding: .9rem 1.5rem; }
header strong { font-size: 1.15rem; } header span { opacity: .85; margin-left: .75rem; }
main { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
section { background: #fff; border-radius: 8px; padding: 1.25rem 1.5rem; margin-bottom: 1rem;
  box-shadow: 0 1px 2px rgb(0 0 0 / 8%); }
h1 { font-size: 1.45rem; margin: 0 0 .5rem; } h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
input[type=email] { width: 100%; max-width: 22rem; padding: .45rem .6rem; font: inherit;
  border: 1px solid #9ca3af; border-radius: 4px; }
button { font: inherit; padding: .5rem 1.1rem; border-radius: 4px; border: 0; background: #0f766e;
  color: #fff; cursor: pointer; margin-top: .9rem; }
button.secondary { background: #e5e7eb; color: #1f2937; }
.muted { color: #6b7280; font-size: .9rem; }
.status { border-left: 4px solid #d97706; background: #fffbeb; padding: .6rem .9rem; }
.ok { border-left: 4px solid #059669; background: #ecfdf5; padding: .6rem .9rem; }
.alert { border-left: 4px solid #dc2626; background: #fef2f2; padding: .6rem .9rem; }
ul.messages { list-style: none; padding: 0; margin: 0; }
ul.messages li { border-top: 1px solid #e5e7eb; padding: .7rem 0; }
ul.messages .subject { font-weight: 600; } ul.messages .snippet { color: #4b5563; }
.actions { display: flex; gap: .75rem; flex-wrap: wrap; align-items: end; }
`;

/** The demo app's page frame: its name and what it is, above the page's content. */
export function Layout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Northwind CRM`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header>
          <strong>Northwind CRM</strong>
          <span>a CRM that wants to read your mail</span>
        </header>
        <main>{children}</main>
        <footer className="muted" style={{ textAlign: "center", marginBottom: "2rem" }}>
          A demo app of Assent: it connects mailboxes through Assent Connect with its API key, as
          any customer of a Nylas-compatible service would.
        </footer>
      </body>
    </html>
  );
}

/** A hidden CSRF field and a one-button form posting to `action`. */
export function PostButton(props: {
  action: string;
  csrfToken: string;
  label: string;
  secondary?: boolean;
  fields?: Record<string, string>;
}) {
  return (
    <form method="post" action={props.action}>
      <input type="hidden" name="csrf_token" value={props.csrfToken} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={props.secondary ? "secondary" : undefined}>
        {props.label}
      </button>
    </form>
  );
}

/** A complete HTML document. */
export function render(element: ReactNode): string {
  return `<!doctype html>${renderToStaticMarkup(element)}`;
}
