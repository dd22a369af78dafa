// A node that cannot enforce NetworkPolicy (host networking: pods have no network namespace of
// their own, so there is nothing between them to filter) must not let a policy look enforced.
// It records a Warning event NetworkPolicyNotEnforced on every policy, once per policy
// generation, saying which node and why. (ADR 0015.)
import { type Client } from "../client/client.js";
import type { EventRecorder } from "../client/event-recorder.js";
import { InformerFactory } from "../client/informer-factory.js";
import type { KubeObject } from "../api/resource.js";
import type { Logger } from "../log.js";
import { NETWORK_POLICIES } from "./policy-enforcer.js";

export const NOT_ENFORCED_REASON = "NetworkPolicyNotEnforced";

export interface NotEnforcedReporterOptions {
  client: Client;
  nodeName: string;
  recorder: EventRecorder;
  /** Why this node cannot enforce, in a few words. */
  reason: string;
  log: Logger;
}

export class NotEnforcedReporter {
  private readonly informers: InformerFactory;
  private readonly reported = new Set<string>();

  constructor(private readonly options: NotEnforcedReporterOptions) {
    this.informers = new InformerFactory(options.client, { logger: options.log.child({ component: "network-policy" }) });
  }

  /** Starts following policies (without waiting for the first list). */
  start(): void {
    const policies = this.informers.informerFor(NETWORK_POLICIES);
    policies.addEventHandler({ onAdd: (obj) => this.report(obj), onUpdate: (_old, obj) => this.report(obj) });
    this.informers.start();
  }

  async stop(): Promise<void> {
    await this.informers.stop();
  }

  private report(policy: KubeObject): void {
    const key = `${policy.metadata?.uid}/${policy.metadata?.generation}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const message = `Node ${this.options.nodeName} does not enforce this policy: ${this.options.reason}`;
    void this.options.recorder.event(policy, "Warning", NOT_ENFORCED_REASON, message);
  }
}
