// What the pod worker needs from probing: whether a container is started and ready, whether its
// liveness (or startup) probe has given up on it, and to start and stop probing it. The agent
// adapts its probe manager to this, so pod sync is tested with plain values.

import type { Duplex } from "node:stream";
import type { EventRecorder } from "../client/event-recorder.js";
import type { Logger } from "../log.js";
import { ProbeManager } from "./probes/index.js";
import type { ContainerSpec, Pod } from "./pod-types.js";
import type { Runtime } from "./runtime/runtime.js";

/** How probes reach back into the agent. */
export interface ProbeHooks {
  /** Something about the pod's containers changed: look at it again. */
  podChanged(podUid: string): void;
  recorder: EventRecorder;
  dial(ip: string, port: number): Promise<Duplex>;
  runtime(): Runtime;
  log: Logger;
}

export interface ProbedContainer {
  pod: Pod;
  podIP: string;
  spec: ContainerSpec;
  containerId: string;
  startedAt: Date;
}

export interface ContainerProbes {
  add(container: ProbedContainer): void;
  remove(podUid: string, containerName: string): void;
  removePod(podUid: string): void;
  /** Readiness: true without a readiness probe once running. */
  isReady(podUid: string, containerName: string, containerId: string): boolean;
  /** Startup: true without a startup probe once running. */
  isStarted(podUid: string, containerName: string, containerId: string): boolean;
  /** The liveness or startup probe failed past its threshold: the container must be restarted. */
  isUnhealthy(podUid: string, containerName: string, containerId: string): boolean;
  /** Stops every probe. */
  stop(): void;
}

/**
 * The agent's probes on the prober's ProbeManager: containers are registered as they start, a
 * liveness or startup verdict marks that run unhealthy (the pod worker restarts it), and every
 * verdict change wakes the pod's worker. Events go through the agent's recorder.
 */
export class ManagedProbes implements ContainerProbes {
  private readonly manager: ProbeManager;
  /** The container run each probed container currently is, by "uid/name". */
  private readonly current = new Map<string, string>();
  private readonly unhealthy = new Set<string>();

  constructor(private readonly hooks: ProbeHooks) {
    this.manager = new ProbeManager({
      log: hooks.log,
      onEvent: (event) => {
        const involved = { apiVersion: "v1", kind: "Pod", metadata: { name: event.podName, namespace: event.namespace, uid: event.podUid } };
        void hooks.recorder.event(involved, event.type, event.reason, event.message);
      },
      onContainerUnhealthy: (podUid, name) => {
        const id = this.current.get(`${podUid}/${name}`);
        if (id) this.unhealthy.add(id);
        hooks.podChanged(podUid);
      },
      onReadinessChange: (podUid) => hooks.podChanged(podUid),
    });
    this.manager.subscribe((change) => hooks.podChanged(change.podUid));
  }

  add(container: ProbedContainer): void {
    const uid = container.pod.metadata?.uid ?? "";
    this.current.set(`${uid}/${container.spec.name}`, container.containerId);
    this.manager.addContainer({
      podUid: uid,
      podName: container.pod.metadata?.name ?? "",
      namespace: container.pod.metadata?.namespace ?? "",
      podIP: container.podIP,
      container: container.spec as never,
      containerId: container.containerId,
      startedAt: container.startedAt,
      dial: (host, port) => this.hooks.dial(host, port),
      exec: (command, timeoutMs) => this.hooks.runtime().execSync(container.containerId, command, timeoutMs),
      restartPolicy: (container.pod.spec.restartPolicy ?? "Always") as "Always",
    });
  }

  remove(podUid: string, containerName: string): void {
    const id = this.current.get(`${podUid}/${containerName}`);
    if (id) this.unhealthy.delete(id);
    this.current.delete(`${podUid}/${containerName}`);
    this.manager.removeContainer(podUid, containerName);
  }

  removePod(podUid: string): void {
    for (const key of [...this.current.keys()]) if (key.startsWith(`${podUid}/`)) this.remove(podUid, key.slice(podUid.length + 1));
    this.manager.removePod(podUid);
  }

  isReady(podUid: string, containerName: string, containerId: string): boolean {
    return this.current.get(`${podUid}/${containerName}`) === containerId && this.manager.isReady(podUid, containerName);
  }

  isStarted(podUid: string, containerName: string, containerId: string): boolean {
    return this.current.get(`${podUid}/${containerName}`) === containerId && this.manager.isStarted(podUid, containerName);
  }

  isUnhealthy(_podUid: string, _containerName: string, containerId: string): boolean {
    return this.unhealthy.has(containerId);
  }

  stop(): void {
    this.manager.stop();
  }
}
