/** Tables of app registrations, service principals and signing keys (filled by the apps module). */
// biome-ignore lint/suspicious/noEmptyInterface: filled as the module's migrations land
export interface AppsTables {}
