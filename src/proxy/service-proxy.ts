// The service proxy of one node (kube-proxy's role). It follows Services and EndpointSlices with
// informers and, a few milliseconds after a change (changes in that window are applied together):
// - on a node with its own network namespace, renders the node's rules and loads them whole into
//   the namespace's `ip kubelite-services` table (see nft-ruleset.ts). Only the Services that
//   changed are derived and rendered again; the table is joined from the cached parts.
// - when it owns the host's listeners, keeps 127.0.0.1:<nodePort> open for every NodePort and
//   LoadBalancer Service and 127.0.0.1:<port> for every LoadBalancer one (k3s ServiceLB style),
//   forwarding each connection into the node namespace through the dial helper: to the node's
//   address and node port, so the node-port rules (and externalTrafficPolicy) pick the endpoint.
//   Without a node namespace (host networking, no root) there are no cluster IPs at all; these
//   listeners then pick a ready endpoint themselves and connect to it directly (userspace proxy).
// A port the host cannot give (another program holds it) becomes a Warning Event on the Service.
import type { KubeObject } from "../api/resource.js";
import { CORE_V1, type Client } from "../client/client.js";
import { EventRecorder } from "../client/event-recorder.js";
import { InformerFactory } from "../client/informer-factory.js";
import { objectKey } from "../client/indexer.js";
import type { Informer } from "../client/informer.js";
import type { Logger } from "../log.js";
import type { PodNetwork } from "../node/network/pod-network.js";
import { HostForwarder, type ForwardedPort } from "./host-forwarder.js";
import { hairpinPair, renderService, renderTable, type RenderedService } from "./nft-ruleset.js";
import { renderUpdate, type ServiceChange } from "./nft-update.js";
import type { NftServiceTable } from "./nft-service-table.js";
import type { LoopbackRelay } from "./loopback-relay.js";
import type { ProxyMetrics } from "./proxy-metrics.js";
import { SERVICE_NAME_LABEL, serviceRules, type ServicePortRule } from "./service-rules.js";

const SERVICES = CORE_V1("services");
const ENDPOINT_SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
const BY_SERVICE = "service";
const DEFAULT_DEBOUNCE_MS = 5;
/** How often host ports that could not be opened, and a relay helper that died, are tried again (kube-proxy's --sync-period). */
const RESYNC_MS = 30_000;
const MIN_RETRY_MS = 1000;
/** Event reason when a host port for a Service cannot be opened. */
export const PortUnavailable = "PortUnavailable";

export interface ServiceProxyOptions {
  client: Client;
  nodeName: string;
  network: PodNetwork;
  /** The node namespace's service table; absent with host networking. */
  table?: NftServiceTable;
  /** Relays loopback endpoints (the API server behind the `kubernetes` Service) into the node namespace; with `table`. */
  relay?: LoopbackRelay;
  /** Open the host's 127.0.0.1 ports for NodePort and LoadBalancer Services (one node per host does). */
  hostListeners: boolean;
  log: Logger;
  metrics?: ProxyMetrics;
  /** Informers shared with the node agent (started and stopped by it); the proxy makes its own otherwise. */
  informers?: InformerFactory;
  debounceMs?: number;
}

/** One applied change: how many services and endpoints the table held and how long the load took. */
export interface ProxySync {
  services: number;
  endpoints: number;
  /** Whether the whole table was loaded (the first time, or after a failed update) rather than the change. */
  full: boolean;
  renderMs: number;
  loadMs: number;
}

interface ServiceState {
  service: KubeObject;
  rules: ServicePortRule[];
  rendered: RenderedService;
}

export class ServiceProxy {
  private readonly informers: InformerFactory;
  private readonly ownsInformers: boolean;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly services: Informer;
  private readonly slices: Informer;
  private readonly state = new Map<string, ServiceState>();
  private readonly dirty = new Set<string>();
  private readonly forwarder?: HostForwarder;
  private readonly recorder: EventRecorder;
  private readonly syncListeners = new Set<(sync: ProxySync) => void>();
  /** Which Service each wanted host port is for (for the event when it cannot be opened). */
  private readonly hostPortOwners = new Map<number, string>();
  /** For each endpoint address, how many Services' rules name it (its hairpin pair stays while any does). */
  private readonly endpointUses = new Map<string, number>();
  /** The host loopback ports each Service's rules reach through the relay. */
  private readonly relayedPorts = new Map<string, number[]>();
  private endpointCount = 0;
  /** Whether the table holds `state`'s rules, so a change can be applied as an update. */
  private tableLoaded = false;
  private timer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;
  /** Delay before a failed sync is tried again: doubling from a second up to the resync period. */
  private retryMs = MIN_RETRY_MS;
  private running?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: ServiceProxyOptions) {
    const log = options.log.child({ component: "service-proxy" });
    this.ownsInformers = options.informers === undefined;
    this.informers = options.informers ?? new InformerFactory(options.client, { logger: log });
    this.services = this.informers.informerFor(SERVICES);
    this.slices = this.informers.informerFor(ENDPOINT_SLICES, { labelSelector: SERVICE_NAME_LABEL });
    this.slices.addIndexer(BY_SERVICE, (slice) => [serviceKeyOf(slice)]);
    this.recorder = new EventRecorder({ client: options.client, component: "service-proxy", host: options.nodeName, log });
    if (options.hostListeners) this.forwarder = new HostForwarder({ log, onListenError: (wanted, error) => this.reportPortUnavailable(wanted, error) });
  }

  async start(): Promise<void> {
    if (!this.options.table) {
      this.options.log.warn("no isolated pod network: Service cluster IPs do not exist on this node (they need root and a node network namespace); NodePort and LoadBalancer ports are proxied in userspace on 127.0.0.1");
    }
    const services = this.services.addEventHandler({
      onAdd: (obj) => this.markDirty(objectKey(obj)),
      onUpdate: (_, obj) => this.markDirty(objectKey(obj)),
      onDelete: (obj) => this.markDirty(objectKey(obj)),
    });
    const slices = this.slices.addEventHandler({
      onAdd: (obj) => this.markDirty(serviceKeyOf(obj)),
      onUpdate: (old, obj) => {
        this.markDirty(serviceKeyOf(old));
        this.markDirty(serviceKeyOf(obj));
      },
      onDelete: (obj) => this.markDirty(serviceKeyOf(obj)),
    });
    this.unsubscribe.push(services, slices);
    if (this.ownsInformers) this.informers.start();
    await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
    for (const key of this.services.keys()) this.dirty.add(key);
    await this.syncNow();
    this.resyncTimer = setInterval(() => void this.resyncHostSide(), RESYNC_MS);
    this.resyncTimer.unref();
  }

  /** Stops following changes and closes the host listeners; the node's rules stay, as pods do. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    if (this.ownsInformers) await this.informers.stop();
    await this.running?.catch(() => {});
    await this.forwarder?.close();
    await this.options.relay?.close();
  }

  /** Calls `listener` after each applied change (benchmarks, tests). */
  onSync(listener: (sync: ProxySync) => void): () => void {
    this.syncListeners.add(listener);
    return () => this.syncListeners.delete(listener);
  }

  /** Opens host ports that were taken before and restarts a relay helper that died, between syncs. */
  private resyncHostSide(): Promise<void> {
    this.running = (this.running ?? Promise.resolve()).then(async () => {
      if (this.stopped) return;
      await this.forwarder?.sync(this.hostPortsWanted());
      await this.options.relay?.sync([...this.relayedPorts.values()].flat());
    }).catch((error: unknown) => this.options.log.warn("could not resync the host side of services", { node: this.options.nodeName, error }));
    return this.running;
  }

  private markDirty(key: string): void {
    if (!key || this.stopped) return;
    this.dirty.add(key);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.syncNow();
    }, this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  /** One sync at a time; changes that arrive meanwhile are applied by the next. */
  private syncNow(): Promise<void> {
    const previous = this.running ?? Promise.resolve();
    const next = previous.then(() => (this.dirty.size > 0 && !this.stopped ? this.sync() : undefined));
    this.running = next.then(
      () => void (this.retryMs = MIN_RETRY_MS),
      (error: unknown) => {
        this.options.log.error("could not apply service rules; retrying", { node: this.options.nodeName, retryInMs: this.retryMs, error });
        if (!this.stopped) this.timer ??= setTimeout(() => ((this.timer = undefined), void this.syncNow()), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, RESYNC_MS);
      },
    );
    return this.running;
  }

  private async sync(): Promise<void> {
    const started = performance.now();
    const keys = [...this.dirty];
    this.dirty.clear();
    const changes: ServiceChange[] = [];
    /** Whether each endpoint address this batch touches was in use before it. */
    const usedBefore = new Map<string, boolean>();
    for (const key of keys) {
      const before = this.state.get(key);
      this.refresh(key);
      const after = this.state.get(key);
      this.countEndpoints(before, -1, usedBefore);
      this.countEndpoints(after, 1, usedBefore);
      changes.push({ before: before?.rendered, after: after?.rendered });
    }
    const touched = [...usedBefore];
    const hairpin = {
      added: touched.filter(([ip, was]) => !was && this.endpointUses.has(ip)).map(([ip]) => hairpinPair(ip)),
      removed: touched.filter(([ip, was]) => was && !this.endpointUses.has(ip)).map(([ip]) => hairpinPair(ip)),
    };
    let result: { full: boolean; renderMs: number; loadMs: number };
    try {
      result = await this.load(changes, hairpin);
    } catch (error) {
      for (const key of keys) this.dirty.add(key);
      throw error;
    }
    await this.forwarder?.sync(this.hostPortsWanted());
    await this.options.relay?.sync([...this.relayedPorts.values()].flat());
    this.options.metrics?.observe((performance.now() - started) / 1000, result.full);
    const sync = { services: this.state.size, endpoints: this.endpointCount, ...result };
    this.options.log.debug("service rules applied", { node: this.options.nodeName, changed: keys.length, ...sync });
    for (const listener of this.syncListeners) listener(sync);
  }

  /** Adds (or, with -1, takes away) one Service's endpoints from the counts, noting first whether each address was in use. */
  private countEndpoints(entry: ServiceState | undefined, delta: 1 | -1, usedBefore: Map<string, boolean>): void {
    if (!entry) return;
    this.endpointCount += delta * entry.rules.reduce((n, r) => n + r.clusterBackends.length, 0);
    for (const ip of new Set(entry.rendered.endpointIPs)) {
      if (!usedBefore.has(ip)) usedBefore.set(ip, this.endpointUses.has(ip));
      const uses = (this.endpointUses.get(ip) ?? 0) + delta;
      if (uses > 0) this.endpointUses.set(ip, uses);
      else this.endpointUses.delete(ip);
    }
  }

  /** Loads the change into the node's table, or the whole table the first time and whenever a change does not apply. */
  private async load(changes: ServiceChange[], hairpin: { added: string[]; removed: string[] }): Promise<{ full: boolean; renderMs: number; loadMs: number }> {
    const table = this.options.table;
    if (!table) return { full: false, renderMs: 0, loadMs: 0 };
    let started = performance.now();
    if (this.tableLoaded) {
      const script = renderUpdate(changes, hairpin);
      const renderMs = performance.now() - started;
      try {
        if (script !== "") await table.load(script);
        return { full: false, renderMs, loadMs: performance.now() - started - renderMs };
      } catch (error) {
        this.options.log.warn("could not apply a service rule change; loading the whole table", { node: this.options.nodeName, error });
      }
    }
    this.tableLoaded = false;
    started = performance.now();
    const script = renderTable([...this.state.values()].map((s) => s.rendered));
    const renderMs = performance.now() - started;
    await table.load(script);
    this.tableLoaded = true;
    return { full: true, renderMs, loadMs: performance.now() - started - renderMs };
  }

  private refresh(key: string): void {
    const service = this.services.get(key);
    this.relayedPorts.delete(key);
    if (!service) return void this.state.delete(key);
    let rules = serviceRules(service, this.slices.byIndex(BY_SERVICE, key), this.options.nodeName);
    if (this.options.relay) {
      const relayed = throughRelay(rules, this.options.network.nodeIP);
      rules = relayed.rules;
      if (relayed.ports.length > 0) this.relayedPorts.set(key, relayed.ports);
    }
    this.state.set(key, { service, rules, rendered: renderService(rules) });
  }

  private hostPortsWanted(): ForwardedPort[] {
    const wanted: ForwardedPort[] = [];
    this.hostPortOwners.clear();
    for (const [key, { service, rules }] of this.state) {
      const type = (service.spec as { type?: string } | undefined)?.type;
      for (const rule of rules) {
        if (rule.protocol !== "tcp") continue;
        const connect = () => this.connect(rule);
        if (rule.nodePort) wanted.push({ port: rule.nodePort, description: `${rule.description} node port ${rule.nodePort}`, connect });
        if (type === "LoadBalancer") wanted.push({ port: rule.port, description: `${rule.description} load balancer`, connect });
        for (const port of [rule.nodePort, type === "LoadBalancer" ? rule.port : undefined]) if (port && !this.hostPortOwners.has(port)) this.hostPortOwners.set(port, key);
      }
    }
    return wanted;
  }

  /** Where a host connection for `rule` goes: through the node namespace's rules, or (host networking) straight to an endpoint. */
  private async connect(rule: ServicePortRule) {
    const { network } = this.options;
    if (this.options.table) {
      return rule.nodePort ? network.dial(network.nodeIP, rule.nodePort) : network.dial(rule.clusterIPs[0]!, rule.port);
    }
    const backends = rule.externalBackends;
    if (backends.length === 0) throw new Error(`${rule.description} has no ready endpoints`);
    const backend = backends[Math.floor(Math.random() * backends.length)]!;
    return network.dial(backend.ip, backend.port);
  }

  private reportPortUnavailable(wanted: ForwardedPort, error: NodeJS.ErrnoException): void {
    const owner = this.state.get(this.hostPortOwners.get(wanted.port) ?? "");
    if (!owner) return;
    const why = error.code === "EADDRINUSE" ? "the port is in use by another program" : error.message;
    void this.recorder.event(owner.service, "Warning", PortUnavailable, `cannot listen on 127.0.0.1:${wanted.port} for ${wanted.description}: ${why}`);
  }
}

/** Loopback endpoints (on the host) become the node's address at the same port, where the relay listens. */
function throughRelay(rules: ServicePortRule[], nodeIP: string): { rules: ServicePortRule[]; ports: number[] } {
  const ports = new Set<number>();
  const map = (backends: ServicePortRule["clusterBackends"]) =>
    backends.map((b) => {
      if (!b.ip.startsWith("127.")) return b;
      ports.add(b.port);
      return { ip: nodeIP, port: b.port };
    });
  const mapped = rules.map((rule) => ({ ...rule, clusterBackends: map(rule.clusterBackends), externalBackends: map(rule.externalBackends) }));
  return { rules: mapped, ports: [...ports] };
}

function serviceKeyOf(slice: KubeObject): string {
  const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  return name ? `${slice.metadata?.namespace ?? ""}/${name}` : "";
}
