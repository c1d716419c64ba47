// The V8 option `assent start` and `assent serve` run with (bin/assent.js), kept here so the
// benchmark starts Assent's servers the same way (bench/lib/server-process.ts).
export const SEMI_SPACE_FLAG = "--max-semi-space-size=16";
