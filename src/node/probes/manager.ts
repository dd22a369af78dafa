// The node agent's prober (upstream's prober manager and results managers): for each running
// container, one worker per probe it declares (startup, liveness, readiness), and the container's
// current verdicts. Until the startup probe succeeds the container is not started and the other
// probes wait; a container with a readiness probe is not ready until that probe succeeds, one
// without is ready once started. Liveness or startup failure past the threshold records a Killing
// event and calls onContainerUnhealthy (the agent restarts the container, then calls addContainer
// with the new container ID, which starts fresh workers); a change in readiness calls
// onReadinessChange. Workers never block one another: each runs on its own timers, bounded by its
// probe's timeout.
import { realClock, type Clock } from "../../client/clock.js";
import type { Logger } from "../../log.js";
import { Killing, killingMessage, type ProbeEvent, type ProbeEventType, type ProbeKind } from "./events.js";
import type { Probe, ProbedContainer } from "./probe-spec.js";
import { runProbe as defaultRunProbe, type ProbeRunner } from "./run-probe.js";
import type { ProbeTarget } from "./target.js";
import { ProbeWorker, type WorkerResult } from "./worker.js";

export interface ContainerRegistration {
  podUid: string;
  podName: string;
  namespace: string;
  podIP: string;
  container: ProbedContainer;
  /** Identifies this run of the container; a new ID (after a restart) resets its probes. */
  containerId: string;
  startedAt: Date | number;
  dial: ProbeTarget["dial"];
  exec: ProbeTarget["exec"];
  /** The pod's restartPolicy, for the wording of the Killing event; Always by default. */
  restartPolicy?: "Always" | "OnFailure" | "Never";
}

/** A probe verdict that changed: upstream's results.Update. */
export interface ProbeResultChange {
  podUid: string;
  containerName: string;
  containerId: string;
  kind: ProbeKind;
  result: WorkerResult;
}

export interface ProbeManagerOptions {
  clock?: Clock;
  log?: Logger;
  /** Runs one probe; the real prober by default (tests pass a fake). */
  runProbe?: ProbeRunner;
  /** Unhealthy, ProbeWarning and Killing events for the agent to record. */
  onEvent?: (event: ProbeEvent) => void;
  /** A liveness or startup probe failed past its threshold: the container must be restarted. */
  onContainerUnhealthy?: (podUid: string, containerName: string, kind: "liveness" | "startup") => void;
  /** isReady(podUid, containerName) changed. */
  onReadinessChange?: (podUid: string, containerName: string, ready: boolean) => void;
}

interface ProbedContainerState {
  registration: ContainerRegistration;
  workers: Map<ProbeKind, ProbeWorker>;
  results: Map<ProbeKind, WorkerResult | "unknown">;
  ready: boolean;
}

const KINDS: readonly ProbeKind[] = ["startup", "liveness", "readiness"];

export class ProbeManager {
  private readonly clock: Clock;
  private readonly runProbe: ProbeRunner;
  private readonly containers = new Map<string, ProbedContainerState>();
  private readonly listeners = new Set<(change: ProbeResultChange) => void>();

  constructor(private readonly options: ProbeManagerOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.runProbe = options.runProbe ?? defaultRunProbe;
  }

  /** Starts probing a running container. Idempotent for the same container ID; a new ID starts over. */
  addContainer(registration: ContainerRegistration): void {
    const key = containerKey(registration.podUid, registration.container.name);
    const existing = this.containers.get(key);
    if (existing?.registration.containerId === registration.containerId) return;
    existing?.workers.forEach((worker) => worker.stop());

    const state: ProbedContainerState = {
      registration,
      workers: new Map(),
      // Upstream's initial values: liveness success, readiness failure, startup unknown.
      results: new Map([
        ["liveness", "success"],
        ["readiness", "failure"],
        ["startup", "unknown"],
      ]),
      ready: existing?.ready ?? false,
    };
    this.containers.set(key, state);
    for (const kind of KINDS) {
      const probe = probeOf(registration.container, kind);
      if (probe) state.workers.set(kind, new ProbeWorker(kind, probe, this.workerHost(state)));
    }
    this.updateReadiness(state);
    state.workers.forEach((worker) => worker.start());
  }

  /** Stops probing a container (it exited or was removed) and forgets its results. */
  removeContainer(podUid: string, containerName: string): void {
    const key = containerKey(podUid, containerName);
    this.containers.get(key)?.workers.forEach((worker) => worker.stop());
    this.containers.delete(key);
  }

  /** Stops probing every container of the pod. */
  removePod(podUid: string): void {
    for (const state of [...this.containers.values()]) {
      if (state.registration.podUid === podUid) this.removeContainer(podUid, state.registration.container.name);
    }
  }

  /** The pod is shutting down gracefully: liveness and startup probes stop (so nothing restarts), readiness goes on. */
  podTerminating(podUid: string): void {
    for (const state of this.containers.values()) {
      if (state.registration.podUid !== podUid) continue;
      for (const kind of ["liveness", "startup"] as const) {
        state.workers.get(kind)?.stop();
        state.workers.delete(kind);
      }
    }
  }

  /** Whether the container has started: its startup probe succeeded, or it has none. False for unknown containers. */
  isStarted(podUid: string, containerName: string): boolean {
    const state = this.containers.get(containerKey(podUid, containerName));
    return state !== undefined && started(state);
  }

  /** Whether the container is ready: started, and its readiness probe succeeded (or it has none). */
  isReady(podUid: string, containerName: string): boolean {
    return this.containers.get(containerKey(podUid, containerName))?.ready ?? false;
  }

  /** Every change of a probe verdict; returns an unsubscribe. */
  subscribe(listener: (change: ProbeResultChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every worker. */
  stop(): void {
    for (const state of this.containers.values()) state.workers.forEach((worker) => worker.stop());
    this.containers.clear();
  }

  private workerHost(state: ProbedContainerState) {
    const { registration } = state;
    return {
      clock: this.clock,
      log: this.options.log,
      runProbe: this.runProbe,
      target: { podIP: registration.podIP, container: registration.container, dial: registration.dial, exec: registration.exec },
      startedAt: typeof registration.startedAt === "number" ? registration.startedAt : registration.startedAt.getTime(),
      isStarted: () => started(state),
      report: (kind: ProbeKind, result: WorkerResult) => this.report(state, kind, result),
      event: (type: ProbeEventType, reason: string, message: string) => this.event(registration, type, reason, message),
    };
  }

  private report(state: ProbedContainerState, kind: ProbeKind, result: WorkerResult): void {
    if (!this.isCurrent(state)) return;
    const { registration } = state;
    const previous = state.results.get(kind);
    state.results.set(kind, result);
    if (previous !== result) {
      const change = { podUid: registration.podUid, containerName: registration.container.name, containerId: registration.containerId, kind, result };
      for (const listener of this.listeners) this.safely("probe listener", () => listener(change));
    }
    this.updateReadiness(state);
    if (kind === "startup" && result === "success") state.workers.get("readiness")?.trigger();
    if (kind !== "readiness" && result === "failure") {
      const willRestart = registration.restartPolicy !== "Never";
      this.event(registration, "Normal", Killing, killingMessage(registration.container.name, kind, willRestart));
      this.safely("onContainerUnhealthy", () => this.options.onContainerUnhealthy?.(registration.podUid, registration.container.name, kind));
    }
  }

  private updateReadiness(state: ProbedContainerState): void {
    const hasReadinessProbe = probeOf(state.registration.container, "readiness") !== undefined;
    const ready = started(state) && (!hasReadinessProbe || state.results.get("readiness") === "success");
    if (ready === state.ready) return;
    state.ready = ready;
    const { podUid, container } = state.registration;
    this.safely("onReadinessChange", () => this.options.onReadinessChange?.(podUid, container.name, ready));
  }

  private isCurrent(state: ProbedContainerState): boolean {
    return this.containers.get(containerKey(state.registration.podUid, state.registration.container.name)) === state;
  }

  private event(registration: ContainerRegistration, type: ProbeEventType, reason: string, message: string): void {
    const event: ProbeEvent = { podUid: registration.podUid, podName: registration.podName, namespace: registration.namespace, containerName: registration.container.name, type, reason, message };
    this.safely("onEvent", () => this.options.onEvent?.(event));
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.log?.warn(`${what} threw`, { error: err });
    }
  }
}

function started(state: ProbedContainerState): boolean {
  return !probeOf(state.registration.container, "startup") || state.results.get("startup") === "success";
}

function probeOf(container: ProbedContainer, kind: ProbeKind): Probe | undefined {
  if (kind === "liveness") return container.livenessProbe;
  if (kind === "readiness") return container.readinessProbe;
  return container.startupProbe;
}

function containerKey(podUid: string, containerName: string): string {
  return `${podUid}/${containerName}`;
}
