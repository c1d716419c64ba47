import { writeFileSync } from "node:fs";
import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from "kysely";

/**
 * Counts the database round trips a system under test makes, by statement text, so a
 * benchmark can report queries per request next to throughput. Enabled in a server process by
 * `BENCH_QUERY_LOG=<file>` (see ../servers/common.ts): on SIGUSR2 the counts so far are written
 * to that file and reset. Off by default: compiling each statement twice costs CPU.
 */
export class QueryCounter implements KyselyPlugin {
  readonly #counts = new Map<string, number>();
  readonly #compiler = new PostgresQueryCompiler();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const compiled = this.#compiler.compileQuery(args.node, args.queryId);
    const key = compiled.sql.replace(/\s+/g, " ").slice(0, 200);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }

  /** Writes `{ total, byStatement }` to `file` and starts counting afresh. */
  dump(file: string): void {
    const byStatement = Object.fromEntries([...this.#counts].sort((a, b) => b[1] - a[1]));
    const total = [...this.#counts.values()].reduce((a, b) => a + b, 0);
    writeFileSync(file, JSON.stringify({ total, byStatement }, null, 2));
    this.#counts.clear();
  }
}
