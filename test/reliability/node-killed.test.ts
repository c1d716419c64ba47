import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchPostgres, type TestDatabase } from "../support/databases.ts";
import { installRecorder, openSignIn, Recorder, redeem, submitSignIn } from "./support/traffic.ts";
import {
  type IdentityNode,
  openWorldDatabase,
  report,
  SHORT,
  secretKey,
  seedWorld,
  startIdentityNode,
  type World,
} from "./support/world.ts";

/**
 * Two Identity nodes on one database. A user opens the sign-in page on node 1; node 1 is
 * SIGKILLed; the user's browser (its cookies) reaches node 2, which finishes the flow: the
 * interaction, the session and the code live in the database, not in a node.
 */
describe("a node killed in the middle of a sign-in", () => {
  let drop: () => Promise<void>;
  let t: TestDatabase;
  let w: World;
  const nodes: IdentityNode[] = [];
  const key = secretKey();
  let url: string;

  beforeAll(async () => {
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    url = scratch.url;
    t = await openWorldDatabase(url);
    w = await seedWorld(t, key, "killed", 2);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await t?.close();
    await drop?.();
  });

  const node = async () => {
    const started = await startIdentityNode({
      DATABASE_URL: url,
      ASSENT_DATA_DIR: mkdtempSync(join(tmpdir(), "assent-rel-kill-")),
      ASSENT_SECRET_KEY: key,
    });
    nodes.push(started);
    return started;
  };

  it("finishes on node 2 the authorization code flow begun on node 1", async () => {
    const recorder = new Recorder();
    const uninstall = installRecorder(recorder);
    const [one, two] = await Promise.all([node(), node()]);
    const rounds = SHORT ? 1 : 3;
    let completed = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        // Each round kills the node the flow began on and finishes on the survivor.
        const [first, second] = round % 2 === 0 ? [one!, two!] : [two!, one!];
        const started = await openSignIn(first.url, w);
        expect(started.form.fields).not.toEqual({});
        await first.kill();
        expect(first.process.child.signalCode).toBe("SIGKILL");
        const code = await submitSignIn(started, second.url, w.users[0]!.userPrincipalName);
        const tokens = await redeem(recorder, second.url, w, code, started.verifier);
        expect(tokens).toMatchObject({ token_type: "Bearer" });
        expect(typeof tokens.access_token).toBe("string");
        expect(typeof tokens.id_token).toBe("string");
        completed++;
        // The killed node comes back (a restart after a crash) for the next round.
        if (round + 1 < rounds) {
          const back = await node();
          if (first === one) Object.assign(one, back);
          else Object.assign(two!, back);
        }
      }
    } finally {
      uninstall();
    }
    expect(recorder.seen.filter((s) => s.status >= 500)).toEqual([]);
    report(
      "node-killed",
      `${completed}/${rounds} flows begun on a node killed with SIGKILL finished on the other; statuses ${JSON.stringify(recorder.byStatus())}`,
    );
    expect(completed).toBe(rounds);
  });
});
