import { Layout } from "./layout.tsx";

export interface MessagePageProps {
  title: string;
  paragraphs: string[];
  link?: { href: string; text: string } | undefined;
}

/** A short page that says what happened and what to do next. */
export function MessagePage(props: MessagePageProps) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      {props.paragraphs.map((p) => (
        <p key={p}>{p}</p>
      ))}
      {props.link ? (
        <p>
          <a href={props.link.href}>{props.link.text}</a>
        </p>
      ) : null}
    </Layout>
  );
}
