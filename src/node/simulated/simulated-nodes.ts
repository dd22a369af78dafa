// Simulated nodes (the `simulated` runtime, kwok-style): N nodes registered by one component in the
// server process. Each heartbeats its Lease in kube-node-lease and reports the pods bound to it as
// Running and Ready (pods meant to finish as Succeeded) without running anything; pods being
// deleted are confirmed gone as a kubelet does after termination. One pod informer serves all
// nodes, so thousands of nodes cost a few timers and a map.
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/resource.js";
import { CORE_V1, type Client, type ResourceRef } from "../../client/client.js";
import { realClock, type Clock, type TimerHandle } from "../../client/clock.js";
import { defineController, type Controller } from "../../client/controller.js";
import type { InformerFactory } from "../../client/informer-factory.js";
import { objectKey, splitKey } from "../../client/indexer.js";
import type { Logger } from "../../log.js";
import { leaseObject, nodeObject, simulatedNodeIP, type SimulatedNodeSpec } from "./node-objects.js";
import { simulatedPodStatus } from "./pod-status.js";

const NODES = CORE_V1("nodes");
const PODS = CORE_V1("pods");
const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", resource: "leases" };
/** How often a node renews its Lease (upstream kubelet: every 10 s of a 40 s lease). */
const RENEW_INTERVAL_MS = 10_000;

export interface SimulatedNodesOptions {
  count: number;
  capacity: Record<string, string>;
  /** Node names are `${prefix}-${index}`. */
  prefix?: string;
  client: Client;
  informers: InformerFactory;
  log: Logger;
  clock?: Clock;
  renewIntervalMs?: number;
}

interface SimulatedNode {
  spec: SimulatedNodeSpec;
  uid?: string;
  heartbeat: boolean;
  timer?: TimerHandle;
  nextPodIP: number;
}

export class SimulatedNodes {
  private readonly nodes = new Map<string, SimulatedNode>();
  private readonly clock: Clock;
  private readonly pods: Controller;
  private stopped = false;

  constructor(private readonly options: SimulatedNodesOptions) {
    this.clock = options.clock ?? realClock;
    const prefix = options.prefix ?? "simulated";
    for (let index = 0; index < options.count; index++) {
      const name = `${prefix}-${index}`;
      this.nodes.set(name, { spec: { name, capacity: options.capacity, index }, heartbeat: true, nextPodIP: 2 });
    }
    const podInformer = options.informers.informerFor(PODS);
    this.pods = defineController({
      name: "simulated-node-pods",
      workers: 4,
      watches: [{ informer: podInformer, keys: (pod) => (this.nodes.has(nodeNameOf(pod)) ? [objectKey(pod)] : []) }],
      reconcile: async (key) => this.syncPod(podInformer.get(key), key),
      clock: this.clock,
      logger: options.log,
    });
  }

  get names(): string[] {
    return [...this.nodes.keys()];
  }

  /** Registers the nodes, starts their heartbeats and the pod worker. */
  async start(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((node) => this.register(node)));
    const interval = this.options.renewIntervalMs ?? RENEW_INTERVAL_MS;
    let i = 0;
    for (const node of this.nodes.values()) {
      // Spread the renewals over the interval instead of renewing every node at once.
      this.scheduleHeartbeat(node, Math.floor((i++ * interval) / this.nodes.size));
    }
    await this.pods.start();
  }

  /** Stops (or resumes) a node's Lease renewals: the node lifecycle controller then sees it fail. */
  setHeartbeat(name: string, on: boolean): void {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no simulated node named ${name}`);
    node.heartbeat = on;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const node of this.nodes.values()) if (node.timer) this.clock.clearTimeout(node.timer);
    await this.pods.stop();
  }

  private async register(node: SimulatedNode): Promise<void> {
    const now = new Date(this.clock.now());
    try {
      node.uid = (await this.options.client.create(NODES, undefined, nodeObject(node.spec, now))).metadata?.uid;
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
      const existing = await this.options.client.get(NODES, undefined, node.spec.name);
      node.uid = existing.metadata?.uid;
      const fresh = nodeObject(node.spec, now);
      await this.options.client.patch(NODES, undefined, node.spec.name, "merge", { status: fresh.status }, { subresource: "status" });
    }
    await this.renewLease(node);
  }

  private scheduleHeartbeat(node: SimulatedNode, delayMs: number): void {
    if (this.stopped) return;
    node.timer = this.clock.setTimeout(() => {
      const renew = node.heartbeat ? this.renewLease(node) : Promise.resolve();
      renew
        .catch((err: unknown) => this.options.log.warn("lease renewal failed", { node: node.spec.name, error: err }))
        .finally(() => this.scheduleHeartbeat(node, this.options.renewIntervalMs ?? RENEW_INTERVAL_MS));
    }, delayMs);
  }

  private async renewLease(node: SimulatedNode): Promise<void> {
    const lease = leaseObject(node.spec.name, node.uid, new Date(this.clock.now()));
    try {
      await this.options.client.patch(LEASES, "kube-node-lease", node.spec.name, "merge", { spec: lease.spec });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
      await this.options.client.create(LEASES, "kube-node-lease", lease);
    }
  }

  /** Level-triggered: a bound pod's status becomes what a node running it would report. */
  private async syncPod(pod: KubeObject | undefined, key: string): Promise<void> {
    if (!pod) return;
    const node = this.nodes.get(nodeNameOf(pod));
    if (!node) return;
    const { namespace, name } = splitKey(key);
    if (pod.metadata?.deletionTimestamp) {
      await ignoreNotFound(this.options.client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }));
      return;
    }
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === "Running" || phase === "Succeeded" || phase === "Failed") return;
    const podIP = `10.42.${node.spec.index % 256}.${node.nextPodIP}`;
    node.nextPodIP = node.nextPodIP >= 254 ? 2 : node.nextPodIP + 1;
    const status = simulatedPodStatus(pod, simulatedNodeIP(node.spec.index), podIP, new Date(this.clock.now()));
    await ignoreNotFound(this.options.client.patch(PODS, namespace, name, "merge", { status }, { subresource: "status" }));
  }
}

function nodeNameOf(pod: KubeObject): string {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? "";
}

async function ignoreNotFound(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
}
