/** See node-flags.js. */
export declare const SEMI_SPACE_FLAG: string;
