import {
  CompiledQuery,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from "kysely";

/**
 * Records the statements a call sends (text and parameters), so the benchmark can report round
 * trips per call and re-run one statement under EXPLAIN ANALYZE: PostgreSQL's own time and the
 * indexes it read, which a shared machine's load does not move. Only for untimed calls:
 * compiling every statement twice costs CPU.
 */
export class StatementTrace implements KyselyPlugin {
  readonly statements: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  readonly #compiler = new PostgresQueryCompiler();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const compiled = this.#compiler.compileQuery(args.node, args.queryId);
    this.statements.push({ sql: compiled.sql, parameters: compiled.parameters });
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

interface PlanNode {
  "Index Name"?: string;
  "Node Type"?: string;
  Plans?: PlanNode[];
}

/** PostgreSQL's own time (planning + execution, median of `runs`) and the indexes of the plan. */
export async function explainStatement<DB>(
  db: Kysely<DB>,
  statement: { sql: string; parameters: readonly unknown[] },
  runs = 5,
): Promise<{ ms: number; indexes: string[]; sequentialScans: number }> {
  const times: number[] = [];
  let plan: PlanNode | undefined;
  for (let i = 0; i < runs; i++) {
    const result = await db.executeQuery<{ "QUERY PLAN": unknown }>(
      CompiledQuery.raw(`explain (analyze, format json) ${statement.sql}`, [
        ...statement.parameters,
      ]),
    );
    const raw = result.rows[0]?.["QUERY PLAN"];
    const [top] = (typeof raw === "string" ? JSON.parse(raw) : raw) as Array<{
      Plan: PlanNode;
      "Planning Time": number;
      "Execution Time": number;
    }>;
    if (!top) throw new Error("EXPLAIN returned no plan");
    times.push(top["Planning Time"] + top["Execution Time"]);
    plan = top.Plan;
  }
  const indexes = new Set<string>();
  let sequentialScans = 0;
  const walk = (node: PlanNode) => {
    if (node["Index Name"]) indexes.add(node["Index Name"]);
    if (node["Node Type"] === "Seq Scan") sequentialScans++;
    for (const child of node.Plans ?? []) walk(child);
  };
  if (plan) walk(plan);
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] ?? 0, indexes: [...indexes], sequentialScans };
}
