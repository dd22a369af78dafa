// What the pod worker needs from probing: whether a container is started and ready, whether its
// liveness (or startup) probe has given up on it, and to start and stop probing it. The agent
// adapts its probe manager to this, so pod sync is tested with plain values.
import type { ContainerSpec, Pod } from "./pod-types.js";

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
}
