import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { PAGE_CSS } from "./styles.ts";

/**
 * The frame of every end-user page. Rendered on the server to static HTML: the pages work
 * without JavaScript, and every string reaches the page through React, which escapes it (app
 * names are chosen by whoever registers the app, so they are attacker-controlled).
 */
export function Layout(props: { title: string; children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{props.title}</title>
        <style>{PAGE_CSS}</style>
      </head>
      <body>
        <main>
          <p className="brand">Assent</p>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/**
 * Renders a page element to a complete HTML document.
 *
 * @example
 * reply.type("text/html").send(renderPage(<SignInPage {...props} />));
 */
export function renderPage(element: ReactNode): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(element)}`;
}
