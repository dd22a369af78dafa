// Leader election on a coordination.k8s.io/v1 Lease, as client-go's tools/leaderelection: so that of
// several kubelite servers sharing one store, one runs the controllers and scheduler.
// - A candidate takes the lease when nobody holds it or when its holder has not changed it for
//   leaseDurationSeconds as measured on the candidate's own clock since it last saw it change
//   (tolerant of clock skew between hosts, not of skewed clock rates), retrying every retryPeriod
//   (jittered up to +120%, as upstream's JitterFactor 1.2).
// - The leader renews every retryPeriod; when it has not renewed for renewDeadline it stops leading.
//   renewDeadline < leaseDuration, so it stops before anyone else may take over.
// - Every write is compare-and-swap on the lease's resourceVersion: a 409 means another candidate
//   wrote first, and this one lost the round.
// - Defaults as upstream components: lease 15 s, renew deadline 10 s, retry 2 s.
// Like upstream this is no fencing: a paused leader may briefly overlap with the next one.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { createLogger, type Logger } from "../log.js";
import type { Client, ResourceRef } from "./client.js";
import { type Clock, realClock, sleep } from "./clock.js";

export const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", resource: "leases" };

export interface LeaderElectionOptions {
  client: Client;
  /** Where the Lease lives (kube-system for kubelite's own components). */
  namespace: string;
  name: string;
  /** This candidate's unique identity (hostname plus a random suffix, say). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** On stop(), give the lease up so a successor need not wait for it to expire (default true). */
  releaseOnCancel?: boolean;
  /** Called when this candidate becomes leader; the signal aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called when leadership ends (lost, or stop()); only after onStartedLeading. */
  onStoppedLeading?(): void;
  /** Called when the observed holder changes (including to this candidate). */
  onNewLeader?(identity: string): void;
  clock?: Clock;
  /** Randomness in [0, 1) for the retry jitter. */
  random?: () => number;
  logger?: Logger;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

const JITTER_FACTOR = 1.2;

export class LeaderElector {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  /** The lease as last read or written, and when (on our clock) it last changed. */
  private observed: KubeObject | undefined;
  private observedSpec = "";
  private observedAt = 0;
  private leading = false;
  private running = false;

  constructor(private readonly options: LeaderElectionOptions) {
    this.clock = options.clock ?? realClock;
    this.logger = (options.logger ?? createLogger("info")).child({ lease: `${options.namespace}/${options.name}`, identity: options.identity });
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error("leaseDuration must be greater than renewDeadline");
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error("renewDeadline must be greater than retryPeriod*1.2");
    if (this.leaseDurationMs % 1000 !== 0) throw new Error("leaseDuration must be whole seconds (Lease.spec.leaseDurationSeconds)");
  }

  /** Whether this candidate is leading now (between onStartedLeading and onStoppedLeading). */
  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed on the lease, if any. */
  leader(): string | undefined {
    return specOf(this.observed).holderIdentity || undefined;
  }

  /**
   * Campaigns until this candidate leads, then renews until leadership is lost or stop() is called.
   * Resolves when leadership has ended (or at once if stopped); may be called again after a loss.
   */
  async run(): Promise<void> {
    if (this.running) throw new Error("leader election is already running");
    this.running = true;
    try {
      if (!(await this.acquire())) return;
      await this.lead();
    } finally {
      this.running = false;
    }
  }

  /** Ends run() for good: run() resolves after the lease is released (unless releaseOnCancel is false). */
  stop(): void {
    this.abort.abort();
  }

  private async acquire(): Promise<boolean> {
    const signal = this.abort.signal;
    this.logger.info("attempting to acquire leader lease");
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.logger.info("acquired leader lease");
        return true;
      }
      const jitter = this.options.random?.() ?? Math.random();
      await sleep(this.clock, this.retryPeriodMs * (1 + JITTER_FACTOR * jitter), signal);
    }
    return false;
  }

  private async lead(): Promise<void> {
    const leadership = new AbortController();
    this.leading = true;
    this.startCallback(leadership.signal);
    await this.renewUntilLost();
    this.leading = false;
    leadership.abort();
    if (this.abort.signal.aborted && this.options.releaseOnCancel !== false) await this.release();
    this.options.onStoppedLeading?.();
  }

  private startCallback(signal: AbortSignal): void {
    try {
      Promise.resolve(this.options.onStartedLeading(signal)).catch((err: unknown) => this.logger.error("onStartedLeading failed", { err }));
    } catch (err) {
      this.logger.error("onStartedLeading failed", { err });
    }
  }

  /** Renews every retryPeriod; returns when stopped or when no renewal succeeded for renewDeadline. */
  private async renewUntilLost(): Promise<void> {
    const signal = this.abort.signal;
    let renewedAt = this.clock.now();
    while (!signal.aborted) {
      await sleep(this.clock, this.retryPeriodMs, signal);
      if (signal.aborted) return;
      const remaining = renewedAt + this.renewDeadlineMs - this.clock.now();
      if (remaining > 0 && (await this.withDeadline(this.tryAcquireOrRenew(), remaining))) {
        renewedAt = this.clock.now();
        continue;
      }
      if (this.clock.now() - renewedAt >= this.renewDeadlineMs) {
        this.logger.warn("failed to renew the lease within the renew deadline; stopping leading");
        return;
      }
    }
  }

  /** One round: read the lease, and take or renew it if allowed. Never throws. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    let lease: KubeObject;
    try {
      lease = await this.options.client.get(LEASES, this.options.namespace, this.options.name);
    } catch (err) {
      if (isStatus(err, 404)) return this.write(() => this.options.client.create(LEASES, this.options.namespace, this.newLease(undefined)));
      this.logger.warn("could not read the lease", { err });
      return false;
    }
    this.observe(lease);
    const holder = specOf(lease).holderIdentity;
    if (holder && holder !== this.options.identity && !this.observedExpired(lease)) return false;
    return this.write(() => this.options.client.update(LEASES, this.options.namespace, this.newLease(lease)));
  }

  /** A create or compare-and-swap update of the lease; a 409 means another candidate won. */
  private async write(send: () => Promise<KubeObject>): Promise<boolean> {
    try {
      this.observe(await send());
      return true;
    } catch (err) {
      if (isStatus(err, 409)) this.logger.debug("lost a lease write to another candidate");
      else this.logger.warn("could not write the lease", { err });
      return false;
    }
  }

  /** The lease with this candidate as holder; `current` supplies resourceVersion (the CAS) and history. */
  private newLease(current: KubeObject | undefined): KubeObject {
    const now = microTime(this.clock.now());
    const old = specOf(current);
    const renewing = old.holderIdentity === this.options.identity;
    const spec: LeaseSpec = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: this.leaseDurationMs / 1000,
      acquireTime: renewing ? old.acquireTime : now,
      renewTime: now,
      leaseTransitions: renewing ? (old.leaseTransitions ?? 0) : (old.leaseTransitions ?? -1) + 1,
    };
    const metadata = current?.metadata ?? { name: this.options.name, namespace: this.options.namespace };
    return { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata, spec };
  }

  /** Gives the lease up (upstream release: no holder, a 1 s duration) if we still hold it. */
  private async release(): Promise<void> {
    const lease = this.observed;
    const spec = specOf(lease);
    if (!lease || spec.holderIdentity !== this.options.identity) return;
    const now = microTime(this.clock.now());
    const released: LeaseSpec = { leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: spec.leaseTransitions ?? 0 };
    try {
      this.observe(await this.options.client.update(LEASES, this.options.namespace, { ...lease, spec: released }));
      this.logger.info("released leader lease");
    } catch (err) {
      this.logger.warn("could not release the lease", { err });
    }
  }

  /** Records the lease; its observation time restarts only when its spec changed. */
  private observe(lease: KubeObject): void {
    const spec = JSON.stringify(specOf(lease));
    const previousHolder = this.leader();
    this.observed = lease;
    if (spec !== this.observedSpec) {
      this.observedSpec = spec;
      this.observedAt = this.clock.now();
    }
    const holder = this.leader();
    if (holder && holder !== previousHolder) this.options.onNewLeader?.(holder);
  }

  private observedExpired(lease: KubeObject): boolean {
    const durationMs = (specOf(lease).leaseDurationSeconds ?? 0) * 1000;
    return this.observedAt + durationMs <= this.clock.now();
  }

  /** The promise's result, or false if it takes longer than ms (the Client has no cancellation). */
  private withDeadline(promise: Promise<boolean>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(false), ms);
      void promise.then((ok) => {
        this.clock.clearTimeout(timer);
        resolve(ok);
      });
    });
  }
}

function specOf(lease: KubeObject | undefined): LeaseSpec {
  return (lease?.spec as LeaseSpec | undefined) ?? {};
}

function isStatus(err: unknown, code: number): boolean {
  return err instanceof StatusError && err.code === code;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}
