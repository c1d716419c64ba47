import { Details, Layout } from "./layout.tsx";

export interface PageLink {
  text: string;
  href: string;
  secondary?: boolean;
}

/**
 * The page for every outcome and error: a title, what happened, what to do, the way on (links)
 * and the troubleshooting details.
 */
export function MessagePage(props: {
  title: string;
  paragraphs: string[];
  links?: PageLink[];
  details?: Array<[string, string | undefined]>;
}) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      {props.paragraphs.map((p) => (
        <p key={p}>{p}</p>
      ))}
      <p>
        {(props.links ?? []).map((l) => (
          <a key={l.href} className={l.secondary ? "button secondary" : "button"} href={l.href}>
            {l.text}
          </a>
        ))}
      </p>
      {props.details ? <Details rows={props.details} /> : null}
    </Layout>
  );
}
