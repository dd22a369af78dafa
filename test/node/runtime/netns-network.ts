// A PodNetwork for tests that gives each sandbox an empty network namespace (loopback only,
// nothing routed anywhere) under /var/run/netns, and records the dials it is asked for.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { PassThrough, type Duplex } from "node:stream";
import type { PodNetwork, PodNetworkAttachment, PodNetworkRequest } from "../../../src/node/network/pod-network.js";

export class NetnsNetwork implements PodNetwork {
  readonly mode = "isolated" as const;
  readonly nodeIP = "127.0.0.1";
  readonly namespaces = new Map<string, string>();
  readonly dials: { ip: string; port: number }[] = [];

  async setUp(request: PodNetworkRequest): Promise<PodNetworkAttachment> {
    let name = this.namespaces.get(request.sandboxId);
    if (!name) {
      name = `kubelite-test-${randomBytes(4).toString("hex")}`;
      execFileSync("ip", ["netns", "add", name]);
      execFileSync("ip", ["-n", name, "link", "set", "lo", "up"]);
      this.namespaces.set(request.sandboxId, name);
    }
    return { ips: ["127.0.0.1"], netnsPath: `/var/run/netns/${name}` };
  }

  async sandboxes(): Promise<string[]> {
    return [...this.namespaces.keys()];
  }

  async tearDown(sandboxId: string): Promise<void> {
    const name = this.namespaces.get(sandboxId);
    if (!name) return;
    execFileSync("ip", ["netns", "delete", name]);
    this.namespaces.delete(sandboxId);
  }

  async attachment(sandboxId: string): Promise<PodNetworkAttachment | undefined> {
    const name = this.namespaces.get(sandboxId);
    return name ? { ips: ["127.0.0.1"], netnsPath: `/var/run/netns/${name}` } : undefined;
  }

  async dial(ip: string, port: number): Promise<Duplex> {
    this.dials.push({ ip, port });
    return new PassThrough();
  }

  async close(): Promise<void> {
    for (const sandboxId of [...this.namespaces.keys()]) await this.tearDown(sandboxId);
  }
}
