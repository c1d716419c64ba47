import { BlockList, isIP } from "node:net";

/**
 * Where webhooks may go. A webhook URL is chosen by a tenant administrator or an app developer,
 * and the server then POSTs to it: without these checks it is a server-side request forgery
 * (SSRF) tool pointed at the cloud metadata service (169.254.169.254), the database, or admin
 * ports on the private network (Standard Webhooks spec, "Server side request forgery").
 */
export interface TargetPolicy {
  /**
   * true outside production: loopback targets (127.0.0.0/8, ::1, localhost) are allowed, over
   * http or https, so a developer can receive webhooks on their own machine. false in
   * production: https only, public addresses only.
   */
  allowLoopback: boolean;
}

function list(subnets: Array<[string, number]>): BlockList {
  const blocks = new BlockList();
  for (const [network, prefix] of subnets) {
    blocks.addSubnet(network, prefix, isIP(network) === 6 ? "ipv6" : "ipv4");
  }
  return blocks;
}

const LOOPBACK = list([
  ["127.0.0.0", 8],
  ["::1", 128],
]);

// Categories by IANA's special-purpose registries (RFC 6890 and successors). "unspecified"
// matters: on Linux a connection to 0.0.0.0 reaches the local host.
const REFUSED: Array<[string, BlockList]> = [
  [
    "an unspecified or 'this network' address",
    list([
      ["0.0.0.0", 8],
      ["::", 128],
    ]),
  ],
  [
    "a private-network address",
    list([
      ["10.0.0.0", 8],
      ["172.16.0.0", 12],
      ["192.168.0.0", 16],
      ["100.64.0.0", 10], // carrier-grade NAT, RFC 6598
      ["fc00::", 7], // unique local, RFC 4193
      ["fec0::", 10], // deprecated site-local
    ]),
  ],
  [
    "a link-local address (this includes cloud metadata services)",
    list([
      ["169.254.0.0", 16],
      ["fe80::", 10],
    ]),
  ],
  [
    "a reserved, documentation or multicast address",
    list([
      ["192.0.0.0", 24],
      ["192.0.2.0", 24],
      ["198.18.0.0", 15],
      ["198.51.100.0", 24],
      ["203.0.113.0", 24],
      ["224.0.0.0", 4],
      ["240.0.0.0", 4],
      ["100::", 64],
      ["2001::", 32], // Teredo tunnels can reach IPv4 targets indirectly
      ["2001:db8::", 32],
      ["ff00::", 8],
    ]),
  ],
];

/** The eight 16-bit groups of an IPv6 address (with "::" and a dotted IPv4 tail expanded). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().split("%")[0] ?? "";
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const [a, b, c, d] = v4.split(".").map(Number) as [number, number, number, number];
    const tail = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    text = `${text.slice(0, -v4.length)}${tail}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
}

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return quad(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return quad(g[6]!, g[7]!); // NAT64, RFC 6052
  if (g[0] === 0x2002) return quad(g[1]!, g[2]!); // 6to4, RFC 3056
  return undefined;
}

/**
 * Why a connection to this IP address must not be made, or undefined when it may.
 *
 * @example
 * addressProblem("169.254.169.254", { allowLoopback: true }); // "… a link-local address …"
 */
export function addressProblem(address: string, policy: TargetPolicy): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) return addressProblem(v4, policy);
  }
  const type = family === 6 ? "ipv6" : "ipv4";
  if (LOOPBACK.check(address, type)) {
    return policy.allowLoopback ? undefined : `${address} is a loopback address (this machine)`;
  }
  for (const [what, blocks] of REFUSED) {
    if (blocks.check(address, type)) return `${address} is ${what}`;
  }
  return undefined;
}

function isLoopbackAddress(address: string): boolean {
  const v4 = isIP(address) === 6 ? embeddedIpv4(address) : address;
  if (v4) return LOOPBACK.check(v4, "ipv4");
  return LOOPBACK.check(address, "ipv6");
}

function isLoopbackName(hostname: string): boolean {
  // RFC 6761 §6.3: "localhost" and names under it are the loopback host.
  return hostname === "localhost" || hostname.endsWith(".localhost");
}

/**
 * Why this URL may not receive webhooks under `policy`, or undefined when it may. A check on
 * the URL alone; the delivery also checks the addresses its host name resolves to at connect
 * time (see createGuardedLookup), so a name cannot be re-pointed at a private address later.
 *
 * @example
 * webhookTargetProblem("http://10.0.0.5/hook", { allowLoopback: false }); // "…must use https…"
 */
export function webhookTargetProblem(url: string, policy: TargetPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "the webhook URL is not a valid absolute URL";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return `the webhook URL must use https, not ${parsed.protocol.replace(/:$/, "")}`;
  }
  if (parsed.username || parsed.password) {
    return "the webhook URL must not contain a user name or password (they would end up in logs)";
  }
  // URL normalises every IPv4 spelling (0x7f.1, 2130706433) to dotted decimal; IPv6 keeps brackets.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const literal = isIP(host) !== 0;
  const loopback = literal ? isLoopbackAddress(host) : isLoopbackName(host);
  if (loopback && !policy.allowLoopback) {
    return "the webhook URL must not point at this machine (loopback)";
  }
  if (literal) {
    const problem = addressProblem(host, policy);
    if (problem) return `the webhook URL must not point at ${problem.replace(`${host} is `, "")}`;
  } else if (!loopback && !policy.allowLoopback && !host.includes(".")) {
    return "the webhook URL's host must be a fully qualified domain name";
  }
  if (parsed.protocol === "http:" && !(loopback && policy.allowLoopback)) {
    return "the webhook URL must use https (http is accepted only for loopback receivers outside production)";
  }
  return undefined;
}
