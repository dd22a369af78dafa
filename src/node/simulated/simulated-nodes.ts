// Simulated nodes (the `simulated` runtime, kwok-style): N nodes registered by one component in the
// server process. Each heartbeats its Lease in kube-node-lease and reports the pods bound to it as
// Running and Ready (pods meant to finish as Succeeded) without running anything; pods being
// deleted are confirmed gone as a kubelet does after termination. Like a kubelet's status sync, a
// node whose Ready condition is not True (the node lifecycle controller set it Unknown while its
// heartbeat was stopped) posts a fresh status with its next heartbeat, and Running pods it finds
// marked not Ready are reported Ready again. A node whose heartbeat is stopped is down: it renews
// nothing and touches no pod until it resumes. One pod informer and one node informer serve all
// nodes, so thousands of nodes cost a few timers and a map.
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/resource.js";
import { CORE_V1, type Client } from "../../client/client.js";
import { realClock, type Clock, type TimerHandle } from "../../client/clock.js";
import { defineController, type Controller } from "../../client/controller.js";
import type { InformerFactory } from "../../client/informer-factory.js";
import { indexFuncs, objectKey, splitKey } from "../../client/indexer.js";
import type { Informer } from "../../client/informer.js";
import type { Logger } from "../../log.js";
import { nodeObject, simulatedNodeIP, type SimulatedNodeSpec } from "./node-objects.js";
import { LEASE_RENEW_INTERVAL_MS, renewLease } from "../node-lease.js";
import { completes, simulatedPodStatus } from "./pod-status.js";
import { rfc3339 } from "../../api/meta-time.js";

const NODES = CORE_V1("nodes");
const PODS = CORE_V1("pods");
/** upstream's name for the pods-by-node index (shared with the node controllers). */
const NODE_NAME_INDEX = "spec.nodeName";

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
  private readonly podInformer: Informer;
  private readonly nodeInformer: Informer;
  private stopped = false;

  constructor(private readonly options: SimulatedNodesOptions) {
    this.clock = options.clock ?? realClock;
    const prefix = options.prefix ?? "simulated";
    for (let index = 0; index < options.count; index++) {
      const name = `${prefix}-${index}`;
      this.nodes.set(name, { spec: { name, capacity: options.capacity, index }, heartbeat: true, nextPodIP: 2 });
    }
    const podInformer = (this.podInformer = options.informers.informerFor(PODS));
    podInformer.addIndexer(NODE_NAME_INDEX, indexFuncs.nodeName);
    this.nodeInformer = options.informers.informerFor(NODES);
    this.pods = defineController({
      name: "simulated-node-pods",
      workers: 4,
      watches: [{ informer: podInformer, keys: (pod) => (this.nodes.has(nodeNameOf(pod)) ? [objectKey(pod)] : []) }],
      reads: [this.nodeInformer],
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
    const interval = this.options.renewIntervalMs ?? LEASE_RENEW_INTERVAL_MS;
    let i = 0;
    for (const node of this.nodes.values()) {
      // Spread the renewals over the interval instead of renewing every node at once.
      this.scheduleHeartbeat(node, Math.floor((i++ * interval) / this.nodes.size));
    }
    await this.pods.start();
  }

  /**
   * Stops (or resumes) a node: its Lease renewals, status and pod work. The node lifecycle
   * controller then sees it fail (or recover); on resume its pods are looked at again.
   */
  setHeartbeat(name: string, on: boolean): void {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no simulated node named ${name}`);
    const resumed = on && !node.heartbeat;
    node.heartbeat = on;
    if (resumed) for (const pod of this.podInformer.byIndex(NODE_NAME_INDEX, name)) this.pods.enqueue(objectKey(pod));
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
      const renew = node.heartbeat ? this.heartbeat(node) : Promise.resolve();
      renew
        .catch((err: unknown) => this.options.log.warn("lease renewal failed", { node: node.spec.name, error: err }))
        .finally(() => this.scheduleHeartbeat(node, this.options.renewIntervalMs ?? LEASE_RENEW_INTERVAL_MS));
    }, delayMs);
  }

  private async heartbeat(node: SimulatedNode): Promise<void> {
    await this.renewLease(node);
    await this.postStatusIfNotReady(node);
  }

  /** A kubelet's status sync: Ready True with fresh heartbeat times when the API says otherwise. */
  private async postStatusIfNotReady(node: SimulatedNode): Promise<void> {
    const current = this.nodeInformer.get(node.spec.name);
    if (!current || readyStatus(current) === "True") return;
    const { status } = nodeObject(node.spec, new Date(this.clock.now()));
    await this.options.client.patch(NODES, undefined, node.spec.name, "merge", { status }, { subresource: "status" });
  }

  private async renewLease(node: SimulatedNode): Promise<void> {
    await renewLease(this.options.client, node.spec.name, node.uid, new Date(this.clock.now()));
  }

  /** Level-triggered: a bound pod's status becomes what a node running it would report. */
  private async syncPod(pod: KubeObject | undefined, key: string): Promise<void> {
    if (!pod) return;
    const node = this.nodes.get(nodeNameOf(pod));
    // A stopped node does nothing; setHeartbeat enqueues its pods when it resumes.
    if (!node?.heartbeat) return;
    const { namespace, name } = splitKey(key);
    if (pod.metadata?.deletionTimestamp) {
      await ignoreNotFound(this.options.client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }));
      return;
    }
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === "Running") return this.restoreReadiness(pod);
    if (phase === "Succeeded" || phase === "Failed") return;
    const podIP = `10.42.${node.spec.index % 256}.${node.nextPodIP}`;
    node.nextPodIP = node.nextPodIP >= 254 ? 2 : node.nextPodIP + 1;
    const status = simulatedPodStatus(pod, simulatedNodeIP(node.spec.index), podIP, new Date(this.clock.now()));
    await ignoreNotFound(this.options.client.patch(PODS, namespace, name, "merge", { status }, { subresource: "status" }));
  }

  /** A Running pod marked not Ready while its node was down is Ready again (compare-and-swap on pods/status). */
  private async restoreReadiness(pod: KubeObject): Promise<void> {
    const conditions = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    if (completes(pod) || !conditions.some((c) => c.type === "Ready" && c.status === "False")) return;
    const lastTransitionTime = rfc3339(this.clock.now());
    const updated = structuredClone(pod);
    const ready = (c: { type: string; status: string }) => (c.type === "Ready" && c.status !== "True" ? { ...c, status: "True", lastTransitionTime } : c);
    updated.status = { ...(updated.status as Record<string, unknown> | undefined), conditions: conditions.map(ready) };
    await ignoreNotFound(this.options.client.update(PODS, pod.metadata?.namespace, updated, { subresource: "status" }));
  }
}

function readyStatus(node: KubeObject): string | undefined {
  const conditions = (node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.find((c) => c.type === "Ready")?.status;
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
