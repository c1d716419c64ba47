import { startRoundRobinProxy } from "../lib/round-robin-proxy.ts";
import { onStop, ready } from "./common.ts";

/** The scale-out benchmark's proxy in a process of its own (bench/lib/round-robin-proxy.ts). */
const proxy = await startRoundRobinProxy();
onStop(() => proxy.close());
ready({ system: "round-robin proxy", base: proxy.url });
