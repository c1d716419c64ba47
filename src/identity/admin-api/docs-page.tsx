import type { FastifyInstance } from "fastify";
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";

/**
 * The browsable reference of the admin API at `/api/docs`: rendered on the server from the
 * OpenAPI document itself (so it can never disagree with it), without scripts or assets from
 * anywhere else. Operations are grouped by tag, each with its permission, parameters, body and
 * answers; the schemas they name are listed at the end and linked.
 */

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is JSON read by shape, not a type.
type Json = Record<string, any>;

// React escapes a <style> element's text: no quotes, <, > or & below.
const DOCS_CSS = `
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1b1b;background:#f3f4f6;line-height:1.5}
body{margin:0}
main{max-width:1100px;margin:0 auto;padding:24px 16px 64px}
h1{font-size:28px;margin:0 0 8px}
h2{font-size:22px;margin:40px 0 12px;border-bottom:1px solid #d1d5db;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
a{color:#1d4ed8}
a:focus,summary:focus{outline:3px solid #2563eb;outline-offset:2px}
code,.path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
nav ul{columns:2 280px;padding-left:20px}
details.op{background:#fff;border:1px solid #d1d5db;border-radius:6px;margin:8px 0}
details.op[open]{box-shadow:0 1px 4px rgba(0,0,0,.08)}
details.op summary{cursor:pointer;padding:8px 12px;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
details.op .body{padding:4px 16px 16px;border-top:1px solid #e5e7eb}
.method{display:inline-block;min-width:64px;text-align:center;font-weight:700;font-size:12px;padding:2px 6px;border-radius:4px;color:#fff}
.get{background:#1e40af}.post{background:#166534}.patch{background:#92400e}.put{background:#92400e}.delete{background:#991b1b}
.summary{color:#374151}
table{border-collapse:collapse;width:100%;font-size:14px;margin:4px 0 8px}
th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #e5e7eb}
th{font-weight:600;background:#f9fafb}
.desc{white-space:pre-wrap}
.muted{color:#4b5563}
section.schema{background:#fff;border:1px solid #d1d5db;border-radius:6px;padding:8px 16px;margin:8px 0}
`;

/** Text with `code` spans, as the document's descriptions write them. */
function Text(props: { text: string | undefined }): ReactNode {
  if (!props.text) return null;
  const nodes: ReactNode[] = [];
  let offset = 0;
  let code = false;
  for (const part of props.text.split("`")) {
    nodes.push(code ? <code key={offset}>{part}</code> : part);
    offset += part.length + 1;
    code = !code;
  }
  return nodes;
}

function refName(ref: string): string {
  return ref.split("/").pop() ?? ref;
}

/** A one-line rendering of a schema's type, with links to named schemas. */
export function SchemaType(props: { schema: Json | undefined }): ReactNode {
  const s = props.schema;
  if (!s) return "any";
  if (typeof s.$ref === "string") {
    const name = refName(s.$ref);
    return <a href={`#schema-${name}`}>{name}</a>;
  }
  const union = s.anyOf ?? s.oneOf;
  if (Array.isArray(union)) {
    const nodes: ReactNode[] = [];
    for (const part of union as Json[]) {
      if (nodes.length > 0) nodes.push(" or ");
      nodes.push(<SchemaType key={nodes.length} schema={part} />);
    }
    return nodes;
  }
  if (s.const !== undefined) return <code>{JSON.stringify(s.const)}</code>;
  if (Array.isArray(s.enum))
    return <code>{s.enum.map((e: unknown) => JSON.stringify(e)).join(" | ")}</code>;
  if (s.type === "array")
    return (
      <>
        array of <SchemaType schema={s.items} />
      </>
    );
  const format = s.format ? ` (${s.format})` : "";
  if (Array.isArray(s.type)) return `${s.type.join(" or ")}${format}`;
  return `${s.type ?? "any"}${format}`;
}

/** An object schema's properties as a table; other schemas as their type. */
export function SchemaTable(props: { schema: Json | undefined }): ReactNode {
  const s = props.schema;
  if (!s?.properties) return <SchemaType schema={s} />;
  const required = new Set<string>(s.required ?? []);
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Type</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(s.properties as Record<string, Json>).map(([name, property]) => (
          <tr key={name}>
            <td>
              <code>{name}</code>
              {required.has(name) ? "" : " (optional)"}
            </td>
            <td>
              <SchemaType schema={property} />
            </td>
            <td className="desc">
              <Text text={property.description} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Operation(props: { method: string; path: string; op: Json }): ReactNode {
  const { method, path, op } = props;
  const parameters = (op.parameters ?? []) as Json[];
  const body = op.requestBody?.content?.["application/json"]?.schema as Json | undefined;
  return (
    <details className="op" id={op.operationId}>
      <summary>
        <span className={`method ${method}`}>{method.toUpperCase()}</span>
        <span className="path">{path}</span>
        <span className="summary">{op.summary}</span>
      </summary>
      <div className="body">
        <p className="desc">
          <Text text={op.description} />
        </p>
        {parameters.length > 0 && (
          <>
            <h3>Parameters</h3>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">In</th>
                  <th scope="col">Type</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {parameters.map((p) => (
                  <tr key={`${p.in}-${p.name}`}>
                    <td>
                      <code>{p.name}</code>
                      {p.required ? "" : " (optional)"}
                    </td>
                    <td>{p.in}</td>
                    <td>
                      <SchemaType schema={p.schema} />
                    </td>
                    <td className="desc">
                      <Text text={p.description} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {body && (
          <>
            <h3>Request body (application/json)</h3>
            <SchemaTable schema={body} />
          </>
        )}
        <h3>Responses</h3>
        <table>
          <tbody>
            {Object.entries((op.responses ?? {}) as Record<string, Json>).map(([status, r]) => {
              const [type, media] =
                Object.entries((r.content ?? {}) as Record<string, Json>)[0] ?? [];
              return (
                <tr key={status}>
                  <th scope="row">{status}</th>
                  <td className="desc">
                    <Text text={r.description} />
                  </td>
                  <td>
                    {media ? (
                      <>
                        <SchemaType schema={media.schema} /> <span className="muted">({type})</span>
                      </>
                    ) : (
                      <span className="muted">no content</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** The docs page for an OpenAPI document (what buildOpenApiDocument returns). */
export function ApiDocsPage(props: { document: Json }): ReactNode {
  const { document } = props;
  const operations = Object.entries(
    (document.paths ?? {}) as Record<string, Record<string, Json>>,
  ).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const tags: string[] = (document.tags ?? []).map((t: Json) => t.name);
  for (const { op } of operations)
    for (const tag of op.tags ?? []) if (!tags.includes(tag)) tags.push(tag);
  const schemas = Object.entries((document.components?.schemas ?? {}) as Record<string, Json>);
  const title = document.info?.title ?? "API";
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} reference`}</title>
        <style>{DOCS_CSS}</style>
      </head>
      <body>
        <main>
          <h1>{title}</h1>
          <p className="desc">
            <Text text={document.info?.description} />
          </p>
          <p>
            Base URL <code>{document.servers?.[0]?.url}</code>. The machine-readable OpenAPI{" "}
            {document.openapi} document: <a href="/api/openapi.json">/api/openapi.json</a>.
          </p>
          <nav aria-label="Operations by area">
            <ul>
              {tags.map((tag) => (
                <li key={tag}>
                  <a href={`#tag-${encodeURIComponent(tag)}`}>{tag}</a>
                </li>
              ))}
              <li>
                <a href="#schemas">Schemas</a>
              </li>
            </ul>
          </nav>
          {tags.map((tag) => (
            <section key={tag} aria-labelledby={`tag-${encodeURIComponent(tag)}`}>
              <h2 id={`tag-${encodeURIComponent(tag)}`}>{tag}</h2>
              {operations
                .filter(({ op }) => (op.tags ?? []).includes(tag))
                .map(({ path, method, op }) => (
                  <Operation key={`${method} ${path}`} method={method} path={path} op={op} />
                ))}
            </section>
          ))}
          <h2 id="schemas">Schemas</h2>
          {schemas.map(([name, schema]) => (
            <section className="schema" key={name} id={`schema-${name}`}>
              <h3>{name}</h3>
              <SchemaTable schema={schema} />
            </section>
          ))}
        </main>
      </body>
    </html>
  );
}

/** The docs page as a complete HTML document. */
export function renderApiDocs(document: Json): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(<ApiDocsPage document={document} />)}`;
}

/**
 * Serves the docs page at `GET /api/docs`, rendered once (the routes do not change while the
 * process runs). Public, like /api/openapi.json: it documents the API, it reveals no data.
 *
 * @example
 * registerApiDocs(app, buildOpenApiDocument(ADMIN_API_ROUTES, { serverUrl }));
 */
export function registerApiDocs(app: FastifyInstance, document: Json | (() => Json)): void {
  // Rendered on the first request, not at start-up: it takes about half a second of CPU and
  // a few megabytes that a node serving only OAuth would otherwise hold for nothing.
  let html: string | undefined;
  app.get("/api/docs", async (_request, reply) => {
    html ??= renderApiDocs(typeof document === "function" ? document() : document);
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "public, max-age=300")
      .send(html);
  });
}
