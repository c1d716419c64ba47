/** Tables of the OAuth module (oidc-provider's artifacts). */
// biome-ignore lint/suspicious/noEmptyInterface: filled as the module's migrations land
export interface OAuthTables {}
