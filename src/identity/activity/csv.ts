/**
 * CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma, a quote
 * or a line break, quotes doubled) with formula injection neutralised: a text cell starting
 * with = + - @ tab or carriage return is prefixed with ' so a spreadsheet shows it as text
 * instead of evaluating it (OWASP "CSV Injection"). Log fields such as user agents and display
 * names are attacker-controlled; an administrator opening the export must not run them.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  if (typeof value === "string") text = FORMULA_START.test(value) ? `'${value}` : value;
  else if (typeof value === "object") text = JSON.stringify(value);
  else text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: unknown[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** A column of an export: its header and how to read it from a row's view. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => unknown;
}
