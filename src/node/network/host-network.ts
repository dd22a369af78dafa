// Host-network mode: pods share the node's network namespace. Used without root, and for pods
// with spec.hostNetwork. The node's address is loopback, so nothing a pod serves is reachable
// from off the machine.
import net from "node:net";
import type { Duplex } from "node:stream";
import type { PodNetwork, PodNetworkAttachment, PodNetworkRequest } from "./pod-network.js";

export class HostNetwork implements PodNetwork {
  readonly mode = "host" as const;

  constructor(readonly nodeIP = "127.0.0.1") {}

  async setUp(_request: PodNetworkRequest): Promise<PodNetworkAttachment> {
    return { ips: [this.nodeIP] };
  }

  async tearDown(_sandboxId: string): Promise<void> {}

  async attachment(_sandboxId: string): Promise<PodNetworkAttachment | undefined> {
    return { ips: [this.nodeIP] };
  }

  async sandboxes(): Promise<string[]> {
    return []; // nothing is kept per sandbox
  }

  dial(ip: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: ip, port });
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(socket);
      });
      socket.once("error", reject);
    });
  }

  async close(): Promise<void> {}
}
