import { readFileSync } from "node:fs";

/**
 * `node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]`: the functions a V8 CPU
 * profile spent its time in, by self time and by total (inclusive) time, so a profile taken
 * with `npm run bench -- --profile` can be read without DevTools. Idle and GC are listed too:
 * a server waiting on its database shows up as "(idle)".
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top]");
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/main\//, "");
  return `${n.callFrame.functionName || "(anonymous)"} ${url}:${n.callFrame.lineNumber + 1}`;
};
// Self time by package (node_modules/<name>), Assent's own folders, or Node itself.
const packageOf = (n: Node) => {
  const url = n.callFrame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /\/main\/((?:src|bench)\/[^/]+(?:\/[^/]+)?)/.exec(url)?.[1];
  if (own) return own.replace(/\.[a-z]+$/, "");
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/").slice(0, 2).join("/")}`;
  return n.callFrame.functionName || "(native)";
};
const byPackage = new Map<string, number>();
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
// Start-up (module loading and compiling) is not what a benchmark measures: left out.
const startup = (id: number) => {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
    if (byId.get(at)!.callFrame.url.startsWith("node:internal/modules/")) return true;
  return false;
};
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const node = byId.get(id);
  if (!node || startup(id)) return;
  all += dt;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  byPackage.set(packageOf(node), (byPackage.get(packageOf(node)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at)!);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + dt);
  }
});
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (of ${(all / 1000).toFixed(0)} ms sampled)`);
  for (const [l, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * us) / all).toFixed(1).padStart(5)}%  ${l}`);
};
show("self time by package", byPackage);
show("self time", self);
show("total time", total);
