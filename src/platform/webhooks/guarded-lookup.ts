import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import { addressProblem, type TargetPolicy } from "./target.ts";

type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for http(s).request that resolves the host name and refuses the connection if ANY
 * address it resolves to is forbidden by `policy`. The check happens on the addresses the
 * socket then connects to, in the same step, so DNS rebinding (public at validation time,
 * private at delivery time) gets nothing: there is no second resolution to race.
 *
 * @param resolve the resolver (tests inject one); defaults to the system's (dns.lookup).
 */
export function createGuardedLookup(
  policy: TargetPolicy,
  resolve: Resolve = dnsLookup as unknown as Resolve,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const problems = addresses
        .map((a) => addressProblem(a.address, policy))
        .filter((p): p is string => p !== undefined);
      const first = addresses[0];
      if (problems.length > 0 || !first) {
        const refusal = Object.assign(
          new Error(
            problems.length > 0
              ? `refused to connect: ${hostname} resolves to ${problems.join("; ")}`
              : `${hostname} resolved to no address`,
          ),
          { code: "EADDRREFUSED" },
        );
        return callback(refusal, "", 0);
      }
      if ((options as { all?: boolean }).all) {
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      }
      callback(null, first.address, first.family);
    });
  };
}
