/**
 * Redirect URI rules. The authorization server compares a request's redirect_uri with the
 * registered ones by exact string match (RFC 9700 section 4.1.3, OAuth 2.1 section 2.3.1), so a
 * registered URI is stored exactly as given, and these rules decide which are registrable.
 */

/** Entra's limit on the length of one redirect URI. */
export const MAX_REDIRECT_URI_LENGTH = 256;
/** Entra's limit on the number of redirect URIs of one application. */
export const MAX_REDIRECT_URIS = 256;

// RFC 8252 section 7.3: native apps listen on a loopback interface on any port, over plain HTTP.
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Why a redirect URI cannot be registered, or undefined when it can.
 *
 * @example
 * redirectUriProblem("https://app.example.com/callback"); // undefined
 * redirectUriProblem("http://localhost:5173/cb");          // undefined (loopback)
 * redirectUriProblem("http://app.example.com/cb");         // "must use https …"
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length === 0) return "is empty";
  if (uri.length > MAX_REDIRECT_URI_LENGTH)
    return `is longer than ${MAX_REDIRECT_URI_LENGTH} characters`;
  if ([...uri].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f))
    return "contains spaces or control characters";
  // RFC 6749 section 3.1.2: the redirection endpoint URI MUST NOT include a fragment.
  if (uri.includes("#")) return "must not contain a fragment (#)";
  // Wildcards would let an attacker pick a host or path that receives the code (RFC 9700 section 4.1).
  if (uri.includes("*")) return "must not contain a wildcard (*)";
  const notAbsolute =
    "is not an absolute URL (it needs a scheme and a host, e.g. https://app.example.com/callback)";
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return notAbsolute;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return notAbsolute;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return "must use https (or http on a loopback address such as http://localhost)";
  if (url.hostname === "") return "has no host";
  if (url.username !== "" || url.password !== "") return "must not contain a user name or password";
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname))
    return "must use https: plain http is allowed only for http://localhost, http://127.0.0.1 and http://[::1]";
  return undefined;
}
