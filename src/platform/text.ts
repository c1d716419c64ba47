/**
 * Checks on names and free text that people other than their author will read (app and
 * publisher names, display names, justifications): characters that would change what the
 * reader sees rather than add to it.
 */

// U+202A-U+202E (embeddings and overrides) and U+2066-U+2069 (isolates) reorder the text
// around them: "Contoso \u202Efdp.exe" shows as "Contoso exe.pdf" (Trojan Source, CVE-2021-42574).
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;
// C0 and C1 controls, CR and LF included: a name is one line (and a mail subject's part).
const CONTROLS = /\p{Cc}/u;
// Free text keeps its line breaks and tabs.
const CONTROLS_BUT_WHITESPACE = /[^\P{Cc}\t\n\r]/u;

/** True when a one-line name holds control or bidirectional formatting characters. */
export function hasUnsafeNameCharacters(text: string): boolean {
  return CONTROLS.test(text) || BIDI_CONTROLS.test(text);
}

/** As hasUnsafeNameCharacters, for multi-line text: tabs and line breaks are allowed. */
export function hasUnsafeTextCharacters(text: string): boolean {
  return CONTROLS_BUT_WHITESPACE.test(text) || BIDI_CONTROLS.test(text);
}
