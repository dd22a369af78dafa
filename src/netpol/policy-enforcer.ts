// Enforces NetworkPolicy on one node with isolated pod networking: follows pods, namespaces and
// policies with informers, and within a short debounce after any change recompiles the node's
// policy table and applies it when it changed (so a new policy, a relabelled pod or namespace, a
// new pod IP takes effect well within a second). Applies are serialised; a change during one
// leads to one more. The drop counters are read every few seconds for metrics and events.
import type { Registry } from "prom-client";
import { CORE_V1, type Client } from "../client/client.js";
import type { Clock, TimerHandle } from "../client/clock.js";
import { realClock } from "../client/clock.js";
import type { EventRecorder } from "../client/event-recorder.js";
import { InformerFactory } from "../client/informer-factory.js";
import type { Informer } from "../client/informer.js";
import type { Logger } from "../log.js";
import { ClusterSnapshot, ViewCache } from "./cluster-snapshot.js";
import { DropReporter } from "./drop-reporter.js";
import { compileRuleset } from "./nft-compiler.js";
import type { PolicyTable } from "./nft-table.js";

export const NETWORK_POLICIES = { group: "networking.k8s.io", version: "v1", resource: "networkpolicies" };
const DEBOUNCE_MS = 50;
const RETRY_MS = 1_000;
const COUNTER_POLL_MS = 3_000;

export interface PolicyEnforcerOptions {
  client: Client;
  nodeName: string;
  table: PolicyTable;
  recorder: EventRecorder;
  /** The agent's metrics registry. */
  registry: Registry;
  log: Logger;
  clock?: Clock;
}

export class PolicyEnforcer {
  private readonly informers: InformerFactory;
  private readonly pods: Informer;
  private readonly namespaces: Informer;
  private readonly policies: Informer;
  private readonly views = new ViewCache();
  private readonly reporter: DropReporter;
  private readonly clock: Clock;
  private readonly log: Logger;
  private timer?: TimerHandle;
  private pollTimer?: TimerHandle;
  private running?: Promise<void>;
  private dirty = false;
  private applied = "";
  private stopped = false;

  constructor(private readonly options: PolicyEnforcerOptions) {
    this.clock = options.clock ?? realClock;
    this.log = options.log.child({ component: "network-policy" });
    this.informers = new InformerFactory(options.client, { logger: this.log });
    this.pods = this.informers.informerFor(CORE_V1("pods"));
    this.namespaces = this.informers.informerFor(CORE_V1("namespaces"));
    this.policies = this.informers.informerFor(NETWORK_POLICIES);
    this.reporter = new DropReporter({
      registry: options.registry,
      recorder: options.recorder,
      nodeName: options.nodeName,
      policy: (namespace, name) => this.policies.get(`${namespace}/${name}`),
      now: () => this.clock.now(),
    });
  }

  /**
   * Starts following the cluster; the table must be prepared (bridge netfilter on). Does not wait
   * for the caches: the first table is applied once they have synced, and a node whose informers
   * cannot list (say, refused by authorization) keeps running its pods while they retry.
   */
  start(): void {
    const changed = { onAdd: () => this.schedule(), onUpdate: () => this.schedule(), onDelete: () => this.schedule() };
    for (const informer of [this.pods, this.namespaces, this.policies]) informer.addEventHandler(changed);
    this.informers.start();
    void this.informers.waitForSync().then((synced) => synced && this.schedule());
    this.schedulePoll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    if (this.pollTimer) this.clock.clearTimeout(this.pollTimer);
    await this.informers.stop();
    await this.running;
  }

  private schedule(delayMs = DEBOUNCE_MS): void {
    if (this.stopped || this.timer) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.running) {
        this.dirty = true;
        return;
      }
      this.running = this.sync().finally(() => {
        this.running = undefined;
        if (this.dirty) {
          this.dirty = false;
          this.schedule();
        }
      });
    }, delayMs);
  }

  /** Compiles and applies; never rejects (a failure is logged and retried). */
  private async sync(): Promise<void> {
    if (!this.pods.hasSynced() || !this.namespaces.hasSynced() || !this.policies.hasSynced()) return;
    try {
      const started = this.clock.now();
      const cluster = new ClusterSnapshot({ namespaces: this.namespaces.list(), pods: this.pods.list(), policies: this.policies.list() }, this.views);
      const local = cluster.allPods().filter((pod) => pod.nodeName === this.options.nodeName);
      const compiled = compileRuleset(cluster, local);
      if (compiled.script === this.applied) return;
      // Drops counted by the table about to be replaced; losing them is no reason not to apply.
      await this.readCounters().catch(() => undefined);
      await this.options.table.apply(compiled.script);
      this.applied = compiled.script;
      this.reporter.tableReplaced(compiled.counters);
      this.log.debug("network policy table applied", { pods: local.length, counters: compiled.counters.size, ms: this.clock.now() - started });
    } catch (error) {
      this.log.warn("could not apply the network policy table; retrying", { error });
      this.schedule(RETRY_MS);
    }
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.pollTimer = this.clock.setTimeout(() => {
      this.readCounters()
        .catch((error: unknown) => this.log.debug("reading drop counters failed", { error }))
        .finally(() => this.schedulePoll());
    }, COUNTER_POLL_MS);
  }

  private async readCounters(): Promise<void> {
    const table = this.applied;
    if (!table) return;
    const values = await this.options.table.counters();
    // A table applied meanwhile has counters of the same names that mean other policies.
    if (table === this.applied) this.reporter.observe(values);
  }
}
