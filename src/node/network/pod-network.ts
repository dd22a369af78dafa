// How a node gives pods their network. Two modes, as DESIGN.md describes:
// - "isolated" (root on Linux): each pod gets its own network namespace, veth and IP on a bridge
//   inside the node's own network namespace; nothing is routed from the host's namespace.
// - "host": pods share the host's network; the pod IP is the node's address and container ports
//   are host ports (the scheduler keeps them apart).
import type { Duplex } from "node:stream";
import type { PortMapping } from "../runtime/runtime.js";

export type NetworkMode = "isolated" | "host";

export interface PodNetworkAttachment {
  ips: string[];
  /** The pod's network namespace (a path under /var/run/netns); absent in host mode. */
  netnsPath?: string;
}

export interface PodNetworkRequest {
  sandboxId: string;
  podName: string;
  podNamespace: string;
  podUid: string;
  portMappings: PortMapping[];
}

export interface PodNetwork {
  readonly mode: NetworkMode;
  /** The node's own address as pods see it (the Node's InternalIP). */
  readonly nodeIP: string;
  /** Gives the pod its network; idempotent for the same sandbox. */
  setUp(request: PodNetworkRequest): Promise<PodNetworkAttachment>;
  /** Releases the pod's network and address; idempotent. */
  tearDown(sandboxId: string): Promise<void>;
  /** The attachment of a sandbox set up earlier (also by a previous agent process), if any. */
  attachment(sandboxId: string): Promise<PodNetworkAttachment | undefined>;
  /** Sandboxes this node has network state for (also from a previous agent process), so stale ones can be torn down. */
  sandboxes(): Promise<string[]>;
  /** Opens a TCP connection to ip:port as the node sees it (probes, port-forward). */
  dial(ip: string, port: number): Promise<Duplex>;
  close(): Promise<void>;
}
