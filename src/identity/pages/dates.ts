/**
 * A moment as the end-user pages show it: the UTC date and time to the minute, the same for
 * every reader (the pages have no script to localise it), e.g. "2025-03-04 14:05 UTC".
 */
export function readableTime(moment: Date): string {
  return `${moment.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
