import { Layout } from "./layout.tsx";

export interface ErrorCodePageProps {
  code: number;
  name: string;
  message: string;
  cause: string;
  userFix: string;
  adminFix: string;
}

/** `GET /error?code=N`: one error code explained to people (the target of `error_uri`). */
export function ErrorCodePage(props: ErrorCodePageProps) {
  return (
    <Layout title={`Error AST${props.code}`}>
      <h1>
        AST{props.code}: {props.name}
      </h1>
      <p>{props.message}</p>
      <h2 style={{ fontSize: "16px" }}>Why it happens</h2>
      <p>{props.cause}</p>
      <h2 style={{ fontSize: "16px" }}>If you are signing in</h2>
      <p>{props.userFix}</p>
      <h2 style={{ fontSize: "16px" }}>If you are an administrator or developer</h2>
      <p>{props.adminFix}</p>
    </Layout>
  );
}

/** `GET /error?code=N` for a code Assent does not emit. */
export function UnknownErrorCodePage(props: { code: string }) {
  return (
    <Layout title="Unknown error code">
      <h1>Unknown error code</h1>
      <p>
        Assent does not use the code <code>{props.code}</code>. Check the number in the error
        message; codes look like AST50126.
      </p>
    </Layout>
  );
}
