// The node agent (the kubelet's role): registers this host as a Node, renews its Lease, and runs
// the pods bound to it through a Runtime, reporting their status truthfully. Runs inside
// `kubelite server` and as `kubelite agent` on other hosts, always through a Client as
// system:node:<name>, never touching the store.
//
// Pods are reconciled by key on the controller kit (one sync per pod at a time, level-triggered),
// woken by pod changes, container exits (runtime events) and probe results, and resynced every
// minute. Housekeeping removes what the runtime still holds for pods that no longer exist.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1, type Client } from "../client/client.js";
import { realClock, type Clock, type TimerHandle } from "../client/clock.js";
import { defineController, type Controller } from "../client/controller.js";
import { EventRecorder } from "../client/event-recorder.js";
import { InformerFactory } from "../client/informer-factory.js";
import { objectKey } from "../client/indexer.js";
import type { Informer } from "../client/informer.js";
import type { Logger } from "../log.js";
import type { ConfigSource } from "./container-env.js";
import { ServiceAccountTokens } from "./service-account-tokens.js";
import type { ContainerProbes, ProbeHooks } from "./container-probes.js";
import { LEASE_RENEW_INTERVAL_MS, renewLease } from "./node-lease.js";
import { conditionsSignature, hostCapacity, hostPressure, nodeObject, nodeStatus, type NodeFacts } from "./node-status.js";
import { PodSyncer } from "./pod-sync.js";
import { podDnsSettings } from "./pod-dns.js";
import type { Pod, PodStatusJson } from "./pod-types.js";
import type { PodNetwork } from "./network/pod-network.js";
import { POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, type Runtime } from "./runtime/runtime.js";
import { NodeVolumes } from "./volumes.js";
import { StatsCollector } from "./stats.js";
import { AgentMetrics } from "./agent-metrics.js";
import { join } from "node:path";

const NODES = CORE_V1("nodes");
const PODS = CORE_V1("pods");
/** upstream kubelet's syncFrequency: every pod is looked at again at least this often. */
const RESYNC_MS = 60_000;
const HOUSEKEEPING_MS = 10_000;
/** Without changes, the node's status is posted this often (upstream nodeStatusReportFrequency). */
const STATUS_REPORT_MS = 5 * 60_000;

export interface AgentOptions {
  client: Client;
  nodeName: string;
  dataDir: string;
  log: Logger;
  /** The pod network; when it needs a pod CIDR the agent waits for the node IPAM controller to assign one. */
  network: { needsPodCIDR: boolean; create(podCIDR: string | undefined): Promise<PodNetwork> };
  runtime(network: PodNetwork): Runtime;
  probes(hooks: ProbeHooks): ContainerProbes;
  /** The node's service proxy (proxy/), started once the pod network exists. */
  proxy?(network: PodNetwork, agent: NodeAgent): { start(): Promise<void>; stop(): Promise<void> };
  /** Serves logs, exec, attach and port-forward for the API server; returns the endpoint it listens on. */
  streams(agent: NodeAgent): Promise<{ port: number; endpoint: string; close(): Promise<void> }>;
  capacity?: Record<string, string>;
  labels?: Record<string, string>;
  /** The node's address until the pod network says otherwise (default 127.0.0.1). */
  address?: string;
  clock?: Clock;
  leaseRenewIntervalMs?: number;
  /** Export the process's own metrics on /metrics (an agent running alone). */
  processMetrics?: boolean;
  /** Started once the pod network exists, stopped with the agent (network policy). */
  networkAddons?: ((network: PodNetwork, agent: NodeAgent) => Promise<{ stop(): Promise<void> }>)[];
  /** Cluster DNS for pods with dnsPolicy ClusterFirst; reachable only where pods have the isolated network. */
  dns?: { clusterDNS: string; clusterDomain: string };
}

export class NodeAgent {
  readonly recorder: EventRecorder;
  readonly stats: StatsCollector;
  readonly metrics: AgentMetrics;
  /** When this agent first saw each pod, for the pod start latency. */
  private readonly firstSeen = new Map<string, number>();
  private readonly clock: Clock;
  private readonly informers: InformerFactory;
  private readonly podInformer: Informer;
  private readonly serviceInformer: Informer;
  private network?: PodNetwork;
  private runtimeInstance?: Runtime;
  private syncer?: PodSyncer;
  private probes?: ContainerProbes;
  private pods?: Controller;
  private streamsServer?: { port: number; endpoint: string; close(): Promise<void> };
  private proxy?: { start(): Promise<void>; stop(): Promise<void> };
  private leaseTimer?: TimerHandle;
  private housekeepingTimer?: TimerHandle;
  private unsubscribeRuntime?: () => void;
  private nodeUid?: string;
  private facts?: NodeFacts;
  private lastStatusSignature = "";
  private lastStatusPostMs = 0;
  private readonly keysByUid = new Map<string, string>();
  private stopped = false;
  private addons: { stop(): Promise<void> }[] = [];

  constructor(private readonly options: AgentOptions) {
    this.clock = options.clock ?? realClock;
    this.recorder = new EventRecorder({ client: options.client, component: "kubelet", host: options.nodeName, log: options.log, now: () => new Date(this.clock.now()) });
    this.informers = new InformerFactory(options.client, { logger: options.log.child({ component: "agent-informers" }) });
    this.podInformer = this.informers.informerFor(PODS, { fieldSelector: `spec.nodeName=${options.nodeName}` });
    // Containers get the Services' environment variables, as the kubelet's service lister gives them.
    this.serviceInformer = this.informers.informerFor(CORE_V1("services"));
    this.stats = new StatsCollector({ nodeName: options.nodeName, dataDir: options.dataDir, runtime: () => this.runtime });
    this.metrics = new AgentMetrics(() => this.runtimeInstance, { processMetrics: options.processMetrics ?? false });
  }

  get nodeName(): string {
    return this.options.nodeName;
  }

  /** The runtime, once started. */
  get runtime(): Runtime {
    if (!this.runtimeInstance) throw new Error("the node agent is not started");
    return this.runtimeInstance;
  }

  /** The pod as this node knows it (from its informer). */
  pod(namespace: string, name: string): Pod | undefined {
    return this.podInformer.get(`${namespace}/${name}`) as Pod | undefined;
  }

  /** The agent's shared informers (the service proxy follows Services through them too). */
  get sharedInformers(): InformerFactory {
    return this.informers;
  }

  podNetwork(): PodNetwork {
    if (!this.network) throw new Error("the node agent is not started");
    return this.network;
  }

  async start(): Promise<void> {
    const { options } = this;
    const capacity = options.capacity ?? hostCapacity(options.dataDir);
    this.streamsServer = await options.streams(this);
    this.facts = {
      name: options.nodeName,
      capacity,
      labels: options.labels ?? {},
      address: options.address ?? "127.0.0.1",
      agentPort: this.streamsServer.port,
      agentEndpoint: this.streamsServer.endpoint,
      localPathRoot: join(options.dataDir, "volumes"),
      runtimeVersion: "",
      notReadyReason: "container runtime network not ready: the pod network is being set up",
    };
    await this.register();
    const podCIDR = options.network.needsPodCIDR ? await this.waitForPodCIDR() : undefined;
    this.network = await options.network.create(podCIDR);
    this.runtimeInstance = options.runtime(this.network);
    this.facts = { ...this.facts, address: this.network.nodeIP, runtimeVersion: this.runtimeInstance.version, notReadyReason: undefined };
    await this.postStatus(true);
    const probes = (this.probes = options.probes({ podChanged: (uid) => this.enqueueUid(uid), recorder: this.recorder, dial: (ip, port) => this.network!.dial(ip, port), runtime: () => this.runtime, log: options.log }));
    const config: ConfigSource = {
      configMap: (ns, name) => this.getOrUndefined(CORE_V1("configmaps"), ns, name),
      secret: (ns, name) => this.getOrUndefined(CORE_V1("secrets"), ns, name),
      services: (ns) => [...this.serviceInformer.list(ns), ...(ns === "default" ? [] : this.serviceInformer.list("default"))],
    };
    this.syncer = new PodSyncer({
      runtime: this.runtimeInstance,
      probes,
      config,
      volumes: new NodeVolumes({ root: join(options.dataDir, "pods"), config, hostIP: this.network.nodeIP, canMount: process.getuid?.() === 0, tokens: new ServiceAccountTokens(options.client, () => this.clock.now()), claims: { claim: (ns, name) => this.getOrUndefined(CORE_V1("persistentvolumeclaims"), ns, name), volume: (name) => this.getOrUndefined(CORE_V1("persistentvolumes"), undefined, name) } }),
      recorder: this.recorder,
      hostIP: this.network.nodeIP,
      nodeAllocatable: capacity,
      logRoot: join(options.dataDir, "logs", "pods"),
      dns: podDnsSettings(options.dns, this.network.mode),
      dial: (ip, port) => this.network!.dial(ip, port),
      now: () => this.clock.now(),
      log: options.log,
    });
    this.unsubscribeRuntime = this.runtimeInstance.onEvent((event) => {
      void this.runtimeInstance!.podSandboxStatus(event.sandboxId).then((sandbox) => {
        const uid = sandbox?.labels[POD_UID_LABEL];
        if (uid) this.enqueueUid(uid);
        else if (sandbox) this.pods?.enqueue(`${sandbox.labels[POD_NAMESPACE_LABEL]}/${sandbox.labels[POD_NAME_LABEL]}`);
      });
    });
    this.pods = defineController({
      name: "pod-workers",
      workers: 16,
      watches: [{ informer: this.podInformer, keys: (pod) => [this.remember(pod)] }],
      reconcile: async (key) => this.syncPod(key),
      clock: this.clock,
      logger: options.log,
    });
    this.informers.start();
    // Upstream's kubelet starts no container before it has read the Services once (their variables).
    await this.serviceInformer.waitForSync();
    for (const addon of options.networkAddons ?? []) this.addons.push(await addon(this.network, this));
    await this.pods.start();
    this.proxy = options.proxy?.(this.network, this);
    await this.proxy?.start();
    this.scheduleLease(0);
    this.scheduleHousekeeping(0);
    options.log.info("node agent started", { node: options.nodeName, network: this.network.mode, runtime: this.runtimeInstance.name });
  }

  /** Stops the agent; the pods it runs keep running (a restarted agent adopts them). */
  async stop(): Promise<void> {
    await this.stopLoops();
    await this.runtimeInstance?.close();
    await this.network?.close();
  }

  /** Stops heartbeats, pod workers, informers and the streaming server. */
  private async stopLoops(): Promise<void> {
    this.stopped = true;
    if (this.leaseTimer) this.clock.clearTimeout(this.leaseTimer);
    if (this.housekeepingTimer) this.clock.clearTimeout(this.housekeepingTimer);
    this.unsubscribeRuntime?.();
    this.probes?.stop();
    await Promise.all(this.addons.map((addon) => addon.stop()));
    await this.pods?.stop();
    await this.proxy?.stop();
    await this.informers.stop();
    await this.streamsServer?.close();
  }

  /**
   * Stops the agent and removes everything it made: every pod's processes and sandbox, and the
   * node's network. For tests and for a node taken out of the cluster for good.
   */
  async destroy(): Promise<void> {
    await this.stopLoops();
    const runtime = this.runtimeInstance;
    if (runtime && this.syncer) {
      const uids = new Set((await runtime.listPodSandboxes()).flatMap((s) => s.labels[POD_UID_LABEL] ?? []));
      for (const uid of uids) await this.syncer.removePod(uid);
    }
    await runtime?.close();
    const network = this.network as (PodNetwork & { destroy?(): Promise<void> }) | undefined;
    await network?.close();
    await network?.destroy?.();
  }

  private remember(pod: KubeObject): string {
    const key = objectKey(pod);
    if (pod.metadata?.uid) this.keysByUid.set(pod.metadata.uid, key);
    return key;
  }

  private enqueueUid(uid: string): void {
    const key = this.keysByUid.get(uid);
    if (key) this.pods?.enqueue(key);
  }

  private async syncPod(key: string): Promise<{ requeueAfterMs: number } | void> {
    const pod = this.podInformer.get(key) as Pod | undefined;
    if (!pod || !this.syncer) return;
    const uid = pod.metadata?.uid ?? "";
    if (!this.firstSeen.has(uid)) {
      // A pod already running when first seen (adopted after a restart) did not start now.
      const running = (pod.status?.containerStatuses ?? []).some((c) => c.state.running);
      this.firstSeen.set(uid, running ? -1 : this.clock.now());
    }
    const result = await this.syncer.sync(pod);
    await this.writeStatus(pod, result.status);
    this.observeStart(uid, result.status);
    if (result.stopped && pod.metadata?.deletionTimestamp) {
      // The kubelet's final word on a deleted pod: everything has stopped, the object may go.
      try {
        await this.options.client.delete(PODS, pod.metadata.namespace, pod.metadata.name ?? "", { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      } catch (err) {
        if (!(err instanceof StatusError && (err.code === 404 || err.code === 409))) throw err;
      }
      return;
    }
    if (result.stopped) return;
    return { requeueAfterMs: Math.min(result.requeueAfterMs ?? RESYNC_MS, RESYNC_MS) };
  }

  /** kubelet_pod_start_duration_seconds: first seen to every container running, observed once per pod. */
  private observeStart(uid: string, status: PodStatusJson): void {
    const since = this.firstSeen.get(uid);
    if (since === undefined || since < 0) return;
    const containers = status.containerStatuses ?? [];
    if (containers.length === 0 || !containers.every((c) => c.state.running)) return;
    this.metrics.podStartSeconds.observe((this.clock.now() - since) / 1000);
    this.firstSeen.set(uid, -1);
  }

  private async writeStatus(pod: Pod, status: PodStatusJson): Promise<void> {
    if (canonicalJson(status) === canonicalJson(pod.status ?? {})) return;
    try {
      await this.options.client.patch(PODS, pod.metadata?.namespace, pod.metadata?.name ?? "", "merge", { metadata: { uid: pod.metadata?.uid }, status }, { subresource: "status" });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }

  private async getOrUndefined(ref: ReturnType<typeof CORE_V1>, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.options.client.get(ref, namespace, name);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  private async register(): Promise<void> {
    const node = nodeObject(this.facts!, hostPressure(this.options.dataDir), new Date(this.clock.now()));
    try {
      this.nodeUid = (await this.options.client.create(NODES, undefined, node)).metadata?.uid;
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
      const existing = await this.options.client.patch(NODES, undefined, this.options.nodeName, "merge", { metadata: { labels: node.metadata?.labels, annotations: node.metadata?.annotations } });
      this.nodeUid = existing.metadata?.uid;
      await this.postStatus(true);
    }
    await renewLease(this.options.client, this.options.nodeName, this.nodeUid, new Date(this.clock.now()));
  }

  /** The node IPAM controller assigns spec.podCIDR shortly after registration. */
  private async waitForPodCIDR(): Promise<string> {
    const deadline = this.clock.now() + 60_000;
    for (;;) {
      const node = await this.options.client.get(NODES, undefined, this.options.nodeName);
      const cidr = (node.spec as { podCIDR?: string } | undefined)?.podCIDR;
      if (cidr) return cidr;
      if (this.clock.now() > deadline) throw new Error(`node ${this.options.nodeName} got no pod CIDR within 60 s: is the controller manager (node IPAM) running?`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Posts the node status when its conditions changed, or every few minutes (the Lease is the heartbeat). */
  private async postStatus(force: boolean): Promise<void> {
    const now = this.clock.now();
    const status = nodeStatus(this.facts!, hostPressure(this.options.dataDir), new Date(now));
    const signature = conditionsSignature(status);
    if (!force && signature === this.lastStatusSignature && now - this.lastStatusPostMs < STATUS_REPORT_MS) return;
    await this.options.client.patch(NODES, undefined, this.options.nodeName, "merge", { status }, { subresource: "status" });
    this.lastStatusSignature = signature;
    this.lastStatusPostMs = now;
  }

  private scheduleLease(delayMs: number): void {
    if (this.stopped) return;
    this.leaseTimer = this.clock.setTimeout(() => {
      const beat = async () => {
        await renewLease(this.options.client, this.options.nodeName, this.nodeUid, new Date(this.clock.now()));
        const node = await this.getOrUndefined(NODES, "", this.options.nodeName);
        // The lifecycle controller marked us Unknown while we were away: say we are back.
        const ready = ((node?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === "Ready")?.status;
        await this.postStatus(ready !== "True");
      };
      beat()
        .catch((err: unknown) => this.options.log.warn("node heartbeat failed", { node: this.options.nodeName, error: err }))
        .finally(() => this.scheduleLease(this.options.leaseRenewIntervalMs ?? LEASE_RENEW_INTERVAL_MS));
    }, delayMs);
  }

  private scheduleHousekeeping(delayMs: number): void {
    if (this.stopped) return;
    this.housekeepingTimer = this.clock.setTimeout(() => {
      this.housekeeping()
        .catch((err: unknown) => this.options.log.warn("housekeeping failed", { error: err }))
        .finally(() => this.scheduleHousekeeping(HOUSEKEEPING_MS));
    }, delayMs);
  }

  /** Removes sandboxes of pods that are gone from the API (force-deleted, or deleted while the agent was down). */
  private async housekeeping(): Promise<void> {
    if (!this.podInformer.hasSynced() || !this.syncer) return;
    const known = new Set(this.podInformer.list().map((p) => p.metadata?.uid));
    const orphans = new Set<string>();
    for (const sandbox of await this.runtime.listPodSandboxes()) {
      const uid = sandbox.labels[POD_UID_LABEL];
      if (uid && !known.has(uid)) orphans.add(uid);
    }
    for (const uid of orphans) {
      this.keysByUid.delete(uid);
      this.firstSeen.delete(uid);
      await this.syncer.removePod(uid);
    }
    await Promise.all(this.podInformer.list().map((p) => this.syncer!.refreshVolumes(p as Pod)));
  }
}

/** JSON with object keys sorted: equal values give equal text whatever order the API stored keys in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
