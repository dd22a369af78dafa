// The Service cluster IP range (--service-cidr, IPv4): every address but the network and
// broadcast ones, as upstream's bitmap IP allocator. The first address belongs to the `kubernetes`
// Service; the lower block is kept for addresses chosen by hand, such as the cluster DNS
// Service's, which is never handed out dynamically.
import { isIPv4 } from "node:net";
import { formatIPv4, ipv4ToNumber } from "../../node/network/cidr.js";
import { staticBlockSize } from "./range-bitmap.js";
import { ValueRange } from "./value-range.js";

export interface ServiceCIDR {
  cidr: string;
  base: number;
  prefix: number;
}

export function parseServiceCIDR(text: string): ServiceCIDR {
  const [address = "", prefixText = ""] = text.trim().split("/");
  const prefix = Number(prefixText);
  if (!isIPv4(address) || !/^\d+$/.test(prefixText) || prefix < 1 || prefix > 30) throw new Error(`--service-cidr ${text}: not an IPv4 CIDR with room for services`);
  const size = 2 ** (32 - prefix);
  const value = ipv4ToNumber(address);
  const base = value - (value % size);
  return { cidr: `${formatIPv4(base)}/${prefix}`, base, prefix };
}

/** The n-th address of the range (1: the first, which the `kubernetes` Service takes). */
export function serviceAddress(range: ServiceCIDR, n: number): string {
  return formatIPv4(range.base + n);
}

/** The `kubernetes` Service's address for a --service-cidr value (its first IPv4 range). */
export function kubernetesServiceIP(serviceCIDR: string): string {
  return serviceAddress(parseServiceCIDR(serviceCIDR.split(",")[0] ?? ""), 1);
}

export function clusterIPRange(range: ServiceCIDR, options: { neverDynamic?: string[]; random?: () => number } = {}): ValueRange<string> {
  const size = 2 ** (32 - range.prefix) - 2;
  return new ValueRange<string>({
    size,
    staticSize: staticBlockSize(size, 16, 256),
    toOffset: (ip) => {
      if (!isIPv4(ip)) return undefined;
      const offset = ipv4ToNumber(ip) - range.base - 1;
      return offset >= 0 && offset < size ? offset : undefined;
    },
    fromOffset: (offset) => formatIPv4(range.base + 1 + offset),
    notInRange: `provided IP is not in the valid range. The range of valid IPs is ${range.cidr}`,
    alreadyAllocated: "provided IP is already allocated",
    neverDynamic: options.neverDynamic,
    random: options.random,
  });
}
