// One probe of one container, run periodically: upstream's prober worker. It probes once at start
// and then every periodSeconds; skips while the container is younger than initialDelaySeconds; the
// startup probe runs only until the container has started and the others only after. A result is
// reported only once it repeats successThreshold (or failureThreshold) times in a row. After a
// liveness failure, or once the startup probe has reached either verdict, the worker holds until the
// container is replaced. Errors (an "unknown" result) are retried three times and then thrown away.
// A probe that never settles is cut off shortly after its timeout, so a worker never stalls.
//
// Beyond upstream, to make a starting pod Ready as soon as it can serve: until a readiness or
// startup probe has counted its first result, and only during its first period, a probe refused
// because nothing listens on the port yet is neither counted nor reported; it is tried again
// soon (every 25 ms for half a second, then doubling to 200 ms). Upstream waits a whole periodSeconds (10 s by default) after that
// first refusal, which is most of why a Deployment takes seconds to become Ready.
import type { Clock, TimerHandle } from "../../client/clock.js";
import type { Logger } from "../../log.js";
import { isConnectionRefused } from "./dial-errors.js";
import { erroredMessage, failedMessage, Unhealthy, ProbeWarning, warningMessage, type ProbeEventType, type ProbeKind } from "./events.js";
import { probeTimings, type Probe, type ProbeOutcome, type ProbeTimings } from "./probe-spec.js";
import type { ProbeRunner } from "./run-probe.js";
import type { ProbeTarget } from "./target.js";

/** Upstream's maxProbeRetries: an errored probe is tried this many times per period. */
const MAX_PROBE_RETRIES = 3;
/** How long past its timeout a probe may take before the worker gives up on it. */
const HANG_GRACE_MS = 2000;
/** Quick retries of a refused probe while the container opens its port: every 25 ms for its first half second, then doubling to 200 ms. */
const WARM_UP_RETRY_MS = 25;
const WARM_UP_STEADY_MS = 500;
const WARM_UP_MAX_RETRY_MS = 200;

export type WorkerResult = "success" | "failure";

/** What a worker needs from its manager. */
export interface WorkerHost {
  clock: Clock;
  log?: Logger;
  runProbe: ProbeRunner;
  target: ProbeTarget;
  /** Milliseconds since the epoch when the container started. */
  startedAt: number;
  isStarted(): boolean;
  /** Called when a result crosses its threshold. */
  report(kind: ProbeKind, result: WorkerResult): void;
  event(type: ProbeEventType, reason: string, message: string): void;
}

export class ProbeWorker {
  private readonly timings: ProbeTimings;
  private timer: TimerHandle | undefined;
  private running = false;
  private rerun = false;
  private stopped = false;
  private onHold = false;
  private lastResult: WorkerResult | undefined;
  private resultRun = 0;
  /** Set when the next probe should come sooner than the period (warm-up). */
  private retryInMs: number | undefined;
  private warmUpDelayMs = WARM_UP_RETRY_MS;

  constructor(readonly kind: ProbeKind, private readonly probe: Probe, private readonly host: WorkerHost) {
    this.timings = probeTimings(probe);
  }

  /** Starts probing: once now, then every period. */
  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Probes now instead of waiting for the next tick (upstream's manualTriggerCh); the period restarts from here. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) this.host.clock.clearTimeout(this.timer);
    this.timer = this.host.clock.setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const tickAt = this.host.clock.now();
    this.running = true;
    try {
      await this.doProbe();
    } catch (err) {
      this.host.log?.warn("probe worker failed", { kind: this.kind, error: err });
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (this.rerun) {
      this.rerun = false;
      this.schedule(0);
      return;
    }
    if (this.retryInMs !== undefined) {
      this.schedule(this.retryInMs);
      this.retryInMs = undefined;
      return;
    }
    const periodMs = this.timings.periodSeconds * 1000;
    this.schedule(Math.max(0, tickAt + periodMs - this.host.clock.now()));
  }

  private async doProbe(): Promise<void> {
    if (this.onHold) return;
    // Upstream compares whole seconds since the container started.
    const ageSeconds = Math.trunc((this.host.clock.now() - this.host.startedAt) / 1000);
    if (ageSeconds < this.timings.initialDelaySeconds) return;
    const started = this.host.isStarted();
    if (this.kind === "startup" ? started : !started) return;

    const outcome = await this.runWithRetries();
    if (this.stopped) return;
    if (this.warmingUp(outcome)) return;
    const result = this.interpret(outcome);
    if (result === undefined) return;

    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    const threshold = result === "failure" ? this.timings.failureThreshold : this.timings.successThreshold;
    if (this.resultRun < threshold) return;

    if ((this.kind === "liveness" && result === "failure") || this.kind === "startup") {
      // The container will be restarted (or has started): hold until a new container comes.
      this.onHold = true;
      this.resultRun = 0;
    }
    this.host.report(this.kind, result);
  }

  /** A readiness or startup probe refused before its first result, within its first period: try again soon. */
  private warmingUp(outcome: ProbeOutcome): boolean {
    if (this.kind === "liveness" || this.lastResult !== undefined) return false;
    if (outcome.result !== "failure" || !isConnectionRefused(outcome.output)) return false;
    const periodEnds = this.host.startedAt + (this.timings.initialDelaySeconds + this.timings.periodSeconds) * 1000;
    const now = this.host.clock.now();
    if (now + this.warmUpDelayMs >= periodEnds) return false;
    this.retryInMs = this.warmUpDelayMs;
    if (now - this.host.startedAt >= WARM_UP_STEADY_MS) this.warmUpDelayMs = Math.min(this.warmUpDelayMs * 2, WARM_UP_MAX_RETRY_MS);
    return true;
  }

  /** Upstream's prober.probe: events for failures, warnings and errors; undefined means "discard". */
  private interpret(outcome: ProbeOutcome): WorkerResult | undefined {
    switch (outcome.result) {
      case "success":
        return "success";
      case "warning":
        this.host.event("Warning", ProbeWarning, warningMessage(this.kind, outcome.output));
        return "success";
      case "failure":
        this.host.event("Warning", Unhealthy, failedMessage(this.kind, outcome.output));
        return "failure";
      case "unknown":
        this.host.event("Warning", Unhealthy, erroredMessage(this.kind, outcome.output));
        return undefined;
    }
  }

  private async runWithRetries(): Promise<ProbeOutcome> {
    let outcome: ProbeOutcome = { result: "unknown", output: "" };
    for (let attempt = 0; attempt < MAX_PROBE_RETRIES && !this.stopped; attempt++) {
      outcome = await this.runBounded();
      if (outcome.result !== "unknown") return outcome;
    }
    return outcome;
  }

  private runBounded(): Promise<ProbeOutcome> {
    const { clock } = this.host;
    const limitMs = this.timings.timeoutSeconds * 1000 + HANG_GRACE_MS;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => resolve({ result: "failure", output: `timeout: probe did not complete within ${this.timings.timeoutSeconds}s` }), limitMs);
      this.host.runProbe(this.probe, this.host.target, { clock }).then(
        (outcome) => {
          clock.clearTimeout(timer);
          resolve(outcome);
        },
        (err: unknown) => {
          clock.clearTimeout(timer);
          resolve({ result: "unknown", output: err instanceof Error ? err.message : String(err) });
        },
      );
    });
  }
}
