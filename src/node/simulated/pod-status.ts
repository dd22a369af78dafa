// What a simulated node reports for the pods bound to it: Running and Ready with every container
// started (or, for pods of Jobs, Succeeded with every container Completed), as a kubelet would once
// the containers ran. No process exists; the status is the whole simulation.
import type { KubeObject } from "../../api/resource.js";
import { rfc3339 } from "../../api/meta-time.js";

interface Container {
  name: string;
  image?: string;
  restartPolicy?: string;
}

interface PodShape {
  spec?: { containers?: Container[]; initContainers?: Container[]; restartPolicy?: string };
  status?: { phase?: string; podIP?: string };
  metadata?: { ownerReferences?: { kind: string; controller?: boolean }[] };
}

/** Pods that are meant to finish (Jobs' pods, or restartPolicy Never/OnFailure) complete; others run. */
export function completes(pod: KubeObject): boolean {
  const shape = pod as PodShape;
  const ownedByJob = shape.metadata?.ownerReferences?.some((o) => o.kind === "Job" && o.controller) ?? false;
  return ownedByJob || (shape.spec?.restartPolicy !== undefined && shape.spec.restartPolicy !== "Always");
}

/** The status a simulated node writes for a bound pod. */
export function simulatedPodStatus(pod: KubeObject, hostIP: string, podIP: string, now: Date): Record<string, unknown> {
  const shape = pod as PodShape;
  const time = rfc3339(now);
  const done = completes(pod);
  const containers = shape.spec?.containers ?? [];
  const initContainers = shape.spec?.initContainers ?? [];
  const terminated = (c: Container) => ({ terminated: { exitCode: 0, reason: "Completed", startedAt: time, finishedAt: time, containerID: `simulated://${c.name}` } });
  const containerStatus = (c: Container, state: Record<string, unknown>, ready: boolean) => ({
    name: c.name,
    image: c.image ?? "",
    imageID: `simulated://${c.image ?? ""}`,
    containerID: `simulated://${c.name}`,
    ready,
    started: !done,
    restartCount: 0,
    state,
  });
  const condition = (type: string, status: string, reason?: string) => ({ type, status, lastProbeTime: null, lastTransitionTime: time, ...(reason ? { reason } : {}) });
  return {
    phase: done ? "Succeeded" : "Running",
    conditions: [
      condition("PodReadyToStartContainers", done ? "False" : "True"),
      condition("Initialized", "True", done ? "PodCompleted" : undefined),
      condition("Ready", done ? "False" : "True", done ? "PodCompleted" : undefined),
      condition("ContainersReady", done ? "False" : "True", done ? "PodCompleted" : undefined),
      condition("PodScheduled", "True"),
    ],
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: time,
    ...(initContainers.length ? { initContainerStatuses: initContainers.map((c) => containerStatus(c, terminated(c), !done && c.restartPolicy === "Always")) } : {}),
    containerStatuses: containers.map((c) => containerStatus(c, done ? terminated(c) : { running: { startedAt: time } }, !done)),
    qosClass: (shape.status as { qosClass?: string } | undefined)?.qosClass ?? "BestEffort",
  };
}
