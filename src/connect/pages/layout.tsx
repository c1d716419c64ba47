import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";

const CSS = `
body{font-family:system-ui,sans-serif;background:#f5f6f8;color:#1b1f24;margin:0}
main{max-width:40rem;margin:3rem auto;background:#fff;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 1px 3px #0002}
.brand{font-weight:600;color:#0b5cad;margin:0 0 1rem}
h1{font-size:1.4rem;margin:0 0 1rem}
a.button{display:inline-block;background:#0b5cad;color:#fff;padding:.6rem 1rem;border-radius:4px;text-decoration:none;margin:.5rem .5rem 0 0}
a.secondary{background:#e8eef6;color:#0b5cad}
ol li{margin:.3rem 0}
dl{font-size:.85rem;color:#444;border-top:1px solid #ddd;padding-top:1rem;margin-top:2rem}
dt{font-weight:600;float:left;clear:left;width:11rem}dd{margin:0 0 .3rem 11rem;word-break:break-all}
code{background:#f0f0f0;padding:0 .2rem;word-break:break-all}
`;

/**
 * The frame of Connect's pages for people (outcomes, approval pages, errors). Rendered on the
 * server to static HTML with React, which escapes every string: application names and emails
 * are chosen by others.
 */
export function Layout(props: { title: string; children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{props.title}</title>
        <style>{CSS}</style>
      </head>
      <body>
        <main>
          <p className="brand">Assent Connect</p>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A complete HTML document. */
export function renderPage(element: ReactNode): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(element)}`;
}

/** Troubleshooting details: what support needs to find the attempt. */
export function Details(props: { rows: Array<[string, string | undefined]> }) {
  return (
    <dl>
      {props.rows
        .filter(([, v]) => v !== undefined && v !== "")
        .map(([k, v]) => [<dt key={`t${k}`}>{k}</dt>, <dd key={`d${k}`}>{v}</dd>])}
    </dl>
  );
}
