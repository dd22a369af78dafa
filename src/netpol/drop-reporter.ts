// Makes blocked connections observable: turns increases of the policy table's drop counters into
// kubelite_network_policy_drops_total{namespace,policy,direction} on the agent's /metrics and a
// Warning event on the NetworkPolicy, at most one per policy and direction per interval (the
// message stays the same, so the event recorder aggregates repeats into one Event's count).
import { Counter, type Registry } from "prom-client";
import type { KubeObject } from "../api/resource.js";
import type { EventRecorder } from "../client/event-recorder.js";
import type { DropCounter } from "./nft-compiler.js";

export const BLOCKED_TRAFFIC_REASON = "BlockedTraffic";
const EVENT_INTERVAL_MS = 30_000;

export interface DropReporterOptions {
  registry: Registry;
  recorder: EventRecorder;
  nodeName: string;
  /** The policy object, for the event; undefined when it is gone. */
  policy(namespace: string, name: string): KubeObject | undefined;
  now(): number;
}

export class DropReporter {
  private readonly drops: Counter<"namespace" | "policy" | "direction">;
  private readonly lastEventMs = new Map<string, number>();
  /** Packet counts last seen, by nft counter name, for the table applied last. */
  private seen = new Map<string, number>();
  private counters = new Map<string, DropCounter>();

  constructor(private readonly options: DropReporterOptions) {
    this.drops = new Counter({
      name: "kubelite_network_policy_drops_total",
      help: "Packets dropped on this node because a NetworkPolicy isolates the pod and no rule allows them",
      labelNames: ["namespace", "policy", "direction"],
      registers: [options.registry],
    });
  }

  /** A new table replaced the old one: its counters start from zero under new names. */
  tableReplaced(counters: Map<string, DropCounter>): void {
    this.counters = counters;
    this.seen = new Map();
  }

  /** Reports what the counters gained since the last reading. */
  observe(values: Map<string, number>): void {
    for (const [name, packets] of values) {
      const counter = this.counters.get(name);
      const gained = packets - (this.seen.get(name) ?? 0);
      this.seen.set(name, packets);
      if (!counter || gained <= 0) continue;
      this.drops.inc({ namespace: counter.namespace, policy: counter.policy, direction: counter.direction }, gained);
      this.recordEvent(counter);
    }
  }

  private recordEvent(counter: DropCounter): void {
    const key = `${counter.namespace}/${counter.policy}/${counter.direction}`;
    const now = this.options.now();
    if (now - (this.lastEventMs.get(key) ?? -Infinity) < EVENT_INTERVAL_MS) return;
    const policy = this.options.policy(counter.namespace, counter.policy);
    if (!policy) return;
    this.lastEventMs.set(key, now);
    const message = `Blocked ${counter.direction} traffic of pods it isolates on node ${this.options.nodeName}: no rule of any policy selecting them allows it`;
    void this.options.recorder.event(policy, "Warning", BLOCKED_TRAFFIC_REASON, message);
  }
}
