// Host ports in use on a node (upstream framework.HostPortInfo): ip → "protocol/port" → number of
// pods holding it. An empty ip means 0.0.0.0 and an empty protocol TCP; 0.0.0.0 conflicts with
// every ip on the same protocol and port, as upstream CheckConflict.
import type { ContainerPort } from "./api-types.js";

export const DEFAULT_BIND_ALL_HOST_IP = "0.0.0.0";

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** The sanitized host ports of a container port list (hostPort > 0 only). */
export function hostPortOf(p: ContainerPort): HostPort | undefined {
  if (!p.hostPort || p.hostPort <= 0) return undefined;
  return { ip: p.hostIP || DEFAULT_BIND_ALL_HOST_IP, protocol: p.protocol || "TCP", port: p.hostPort };
}

export class HostPortInfo {
  private readonly byIP = new Map<string, Map<string, number>>();

  add(p: HostPort): void {
    let ports = this.byIP.get(p.ip);
    if (!ports) this.byIP.set(p.ip, (ports = new Map()));
    const key = portKey(p);
    ports.set(key, (ports.get(key) ?? 0) + 1);
  }

  remove(p: HostPort): void {
    const ports = this.byIP.get(p.ip);
    const key = portKey(p);
    const n = ports?.get(key);
    if (!ports || n === undefined) return;
    if (n > 1) ports.set(key, n - 1);
    else ports.delete(key);
    if (ports.size === 0) this.byIP.delete(p.ip);
  }

  get size(): number {
    return this.byIP.size;
  }

  /** upstream HostPortInfo.CheckConflict. */
  checkConflict(p: HostPort): boolean {
    const key = portKey(p);
    if (p.ip === DEFAULT_BIND_ALL_HOST_IP) {
      for (const ports of this.byIP.values()) if (ports.has(key)) return true;
      return false;
    }
    return (this.byIP.get(DEFAULT_BIND_ALL_HOST_IP)?.has(key) ?? false) || (this.byIP.get(p.ip)?.has(key) ?? false);
  }

  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [ip, ports] of this.byIP) c.byIP.set(ip, new Map(ports));
    return c;
  }
}

function portKey(p: HostPort): string {
  return `${p.protocol}/${p.port}`;
}
