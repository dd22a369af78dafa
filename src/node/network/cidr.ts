// IPv4 CIDR arithmetic for the pod and link subnets (kubelite's isolated network is IPv4 only).

export interface Cidr {
  /** The network address as a 32-bit unsigned number. */
  base: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(text.trim());
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const prefix = Number(match?.[5]);
  if (!match || octets.some((o) => o > 255) || prefix > 30) throw new Error(`not an IPv4 CIDR with room for hosts: ${text}`);
  const address = ipv4ToNumber(text.trim().split("/")[0]!);
  const size = 2 ** (32 - prefix);
  return { base: address - (address % size), prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIPv4(cidr.base)}/${cidr.prefix}`;
}

/** The n-th address of the subnet (n = 1 is the first host). */
export function hostAddress(cidr: Cidr, n: number): string {
  if (n < 1 || n >= 2 ** (32 - cidr.prefix) - 1) throw new Error(`${formatCidr(cidr)} has no host number ${n}`);
  return formatIPv4(cidr.base + n);
}

/** How many host addresses the subnet has (network and broadcast excluded). */
export function hostCount(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix) - 2;
}

/** A dotted IPv4 address (already checked) as a 32-bit unsigned number. */
export function ipv4ToNumber(ip: string): number {
  return ip.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/** A 32-bit unsigned number as a dotted IPv4 address. */
export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}
