// IP addresses and CIDR blocks of either family as numbers, for NetworkPolicy ipBlocks: parse,
// contain, and the strict-subset check upstream's ValidateIPBlock applies to `except`.
import { isIP } from "node:net";

export interface IPNet {
  family: 4 | 6;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
}

/** The address as a number and its family, or undefined when it is not an IP address. */
export function parseIP(text: string): { family: 4 | 6; value: bigint } | undefined {
  const family = isIP(text);
  if (family === 4) return { family, value: text.split(".").reduce((sum, octet) => sum * 256n + BigInt(Number(octet)), 0n) };
  if (family === 6) return { family, value: ipv6Value(text) };
  return undefined;
}

/** A CIDR such as 10.0.0.0/8 or 2001:db8::/64; undefined when malformed. */
export function parseIPNet(text: string): IPNet | undefined {
  const [address, bits, extra] = text.split("/");
  const ip = parseIP(address ?? "");
  if (!ip || extra !== undefined || bits === undefined || !/^\d+$/.test(bits)) return undefined;
  const width = ip.family === 4 ? 32 : 128;
  const prefix = Number(bits);
  if (prefix > width) return undefined;
  const hostBits = BigInt(width - prefix);
  return { family: ip.family, base: (ip.value >> hostBits) << hostBits, prefix };
}

export function netContains(net: IPNet, ip: string): boolean {
  const parsed = parseIP(ip);
  if (!parsed || parsed.family !== net.family) return false;
  const hostBits = BigInt((net.family === 4 ? 32 : 128) - net.prefix);
  return parsed.value >> hostBits === net.base >> hostBits;
}

/** True when `inner` lies inside `outer` and is smaller than it. */
export function isStrictSubnet(inner: IPNet, outer: IPNet): boolean {
  if (inner.family !== outer.family || inner.prefix <= outer.prefix) return false;
  const hostBits = BigInt((outer.family === 4 ? 32 : 128) - outer.prefix);
  return inner.base >> hostBits === outer.base >> hostBits;
}

/** The CIDR in its canonical form (network address, no host bits), IPv4 only; for nft. */
export function formatIPv4Net(net: IPNet): string {
  const octets = [24n, 16n, 8n, 0n].map((shift) => String((net.base >> shift) & 255n));
  return `${octets.join(".")}/${net.prefix}`;
}

function ipv6Value(text: string): bigint {
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups first.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let normalised = text;
  if (v4?.[1]) {
    const n = v4[1].split(".").map(Number);
    normalised = text.slice(0, -v4[1].length) + `${((n[0]! << 8) | n[1]!).toString(16)}:${((n[2]! << 8) | n[3]!).toString(16)}`;
  }
  const [head = "", tail] = normalised.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((sum, group) => sum * 65536n + BigInt(parseInt(group, 16)), 0n);
}
