// The status a node reports for a pod it runs, as the kubelet's generateAPIPodStatus computes it:
// each container's state (waiting with its reason, running, terminated) and last state, restart
// count, readiness from probes; the pod's phase (getPhase), conditions with their transition
// times kept while unchanged, and its addresses. A pure function of what the runtime and probes
// say, so it is tested without processes.
import { rfc3339 } from "../api/meta-time.js";
import type { ContainerStatus, SandboxStatus } from "./runtime/runtime.js";
import { isSidecar, type ContainerSpec, type ContainerStateJson, type ContainerStatusJson, type Pod, type PodCondition, type PodStatusJson } from "./pod-types.js";

/** What the agent knows of one container of the pod spec. */
export interface ContainerView {
  spec: ContainerSpec;
  /** Runs of this container known to the runtime, oldest first. */
  runs: ContainerStatus[];
  /** Why it is not running when the agent holds it back (CrashLoopBackOff, ContainerCreating, ...). */
  waiting?: { reason: string; message?: string };
  /** Probe results: readiness (true without a readiness probe) and startup. */
  ready: boolean;
  started: boolean;
}

export interface PodStatusInput {
  pod: Pod;
  sandbox?: SandboxStatus;
  hostIP: string;
  initContainers: ContainerView[];
  containers: ContainerView[];
  /** "process", used in container IDs ("process://<id>"). */
  runtimeName: string;
  /** The pod is being stopped for good (deleted, or past its deadline): a final phase is due once nothing runs. */
  terminating: boolean;
  now: Date;
}

export function podStatus(input: PodStatusInput): PodStatusJson {
  const previous = input.pod.status ?? {};
  const initStatuses = input.initContainers.map((v) => containerStatus(v, input.runtimeName, "PodInitializing"));
  const initPending = initializationPending(input.initContainers, initStatuses);
  const mainWaitingReason = initPending ? "PodInitializing" : "ContainerCreating";
  const statuses = input.containers.map((v) => containerStatus(v, input.runtimeName, mainWaitingReason));
  const phase = podPhase(input, initStatuses, statuses, initPending);
  const ips = input.pod.spec.hostNetwork ? [input.hostIP] : (input.sandbox?.ips ?? []);
  const status: PodStatusJson = {
    phase,
    conditions: conditions(input, phase, initStatuses, statuses, initPending),
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
    startTime: previous.startTime ?? rfc3339(input.now),
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    ...(previous.qosClass ? { qosClass: previous.qosClass } : {}),
  };
  return status;
}

function containerStatus(view: ContainerView, runtimeName: string, defaultWaiting: string): ContainerStatusJson {
  const latest = view.runs.at(-1);
  const before = view.runs.at(-2);
  let state: ContainerStateJson;
  let lastState: ContainerStateJson = before ? { terminated: terminated(before, runtimeName) } : {};
  if (!latest) {
    state = { waiting: { reason: view.waiting?.reason ?? defaultWaiting, ...(view.waiting?.message ? { message: view.waiting.message } : {}) } };
  } else if (latest.state === "running") {
    state = { running: { startedAt: rfc3339(latest.startedAt ?? latest.createdAt) } };
  } else if (latest.state === "exited" && view.waiting) {
    state = { waiting: { reason: view.waiting.reason, ...(view.waiting.message ? { message: view.waiting.message } : {}) } };
    lastState = { terminated: terminated(latest, runtimeName) };
  } else if (latest.state === "exited") {
    state = { terminated: terminated(latest, runtimeName) };
  } else {
    state = { waiting: { reason: view.waiting?.reason ?? "ContainerCreating", ...(view.waiting?.message ? { message: view.waiting.message } : {}) } };
  }
  const running = state.running !== undefined;
  return {
    name: view.spec.name,
    state,
    lastState,
    ready: running && view.started && view.ready,
    restartCount: latest?.attempt ?? 0,
    image: view.spec.image ?? "",
    imageID: latest ? `${runtimeName}://${latest.image}` : "",
    ...(latest ? { containerID: `${runtimeName}://${latest.id}` } : {}),
    started: running && view.started,
    ...(view.spec.resources && (view.spec.resources.limits || view.spec.resources.requests) ? { resources: view.spec.resources } : {}),
  };
}

function terminated(run: ContainerStatus, runtimeName: string): NonNullable<ContainerStateJson["terminated"]> {
  const exitCode = run.exitCode ?? 0;
  return {
    exitCode,
    reason: run.reason ?? (exitCode === 0 ? "Completed" : "Error"),
    ...(run.message ? { message: run.message } : {}),
    startedAt: rfc3339(run.startedAt ?? run.createdAt),
    finishedAt: rfc3339(run.finishedAt ?? run.startedAt ?? run.createdAt),
    containerID: `${runtimeName}://${run.id}`,
  };
}

/** Init containers still to finish: a regular one that has not exited 0, or a sidecar not yet started. */
function initializationPending(views: ContainerView[], statuses: ContainerStatusJson[]): boolean {
  return views.some((view, i) => {
    const status = statuses[i]!;
    if (isSidecar(view.spec)) return !status.started;
    return status.state.terminated?.exitCode !== 0;
  });
}

/** upstream's getPhase. */
function podPhase(input: PodStatusInput, initStatuses: ContainerStatusJson[], statuses: ContainerStatusJson[], initPending: boolean): string {
  const restartPolicy = input.pod.spec.restartPolicy ?? "Always";
  const initFailed = input.initContainers.some((v, i) => !isSidecar(v.spec) && (initStatuses[i]!.state.terminated?.exitCode ?? 0) !== 0);
  if (initFailed && restartPolicy === "Never") return "Failed";
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const status of statuses) {
    if (status.state.running) running++;
    else if (status.state.terminated) {
      stopped++;
      if (status.state.terminated.exitCode === 0) succeeded++;
    } else if (status.lastState.terminated) stopped++;
    else waiting++;
  }
  if (input.terminating && running === 0) {
    // Nothing runs any more and nothing will restart: the phase is final.
    if (waiting === 0 && stopped > 0 && stopped === succeeded) return "Succeeded";
    if (stopped > 0 || initFailed) return "Failed";
  }
  if (initPending) return "Pending";
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (restartPolicy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (restartPolicy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

function conditions(input: PodStatusInput, phase: string, initStatuses: ContainerStatusJson[], statuses: ContainerStatusJson[], initPending: boolean): PodCondition[] {
  const previous = new Map((input.pod.status?.conditions ?? []).map((c) => [c.type, c]));
  const time = rfc3339(input.now);
  const make = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => {
    const status = ok ? "True" : "False";
    const before = previous.get(type);
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : time,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
  };
  const done = phase === "Succeeded" || phase === "Failed";
  const incomplete = input.initContainers.filter((v, i) => (isSidecar(v.spec) ? !initStatuses[i]!.started : initStatuses[i]!.state.terminated?.exitCode !== 0)).map((v) => v.spec.name);
  const sidecarsUnready = input.initContainers.filter((v, i) => isSidecar(v.spec) && !initStatuses[i]!.ready).map((v) => v.spec.name);
  const unready = [...sidecarsUnready, ...statuses.filter((s) => !s.ready).map((s) => s.name)];
  const containersReady = !done && unready.length === 0;
  const gates = ((input.pod.spec as { readinessGates?: { conditionType: string }[] }).readinessGates ?? []).map((g) => g.conditionType);
  const missingGate = gates.find((g) => previous.get(g)?.status !== "True");
  const notReadyWhy = (kind: string): [string | undefined, string | undefined] =>
    done ? ["PodCompleted", undefined] : unready.length ? ["ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`] : kind === "Ready" && missingGate ? ["ReadinessGatesNotReady", `corresponding condition of pod readiness gate "${missingGate}" does not exist.`] : [undefined, undefined];
  const sandboxReady = input.sandbox?.state === "ready" && !done;
  const result: PodCondition[] = [
    make("PodReadyToStartContainers", sandboxReady),
    make("Initialized", !initPending || done, initPending && !done ? "ContainersNotInitialized" : done && input.initContainers.length ? "PodCompleted" : undefined, initPending && !done ? `containers with incomplete status: [${incomplete.join(" ")}]` : undefined),
    make("Ready", containersReady && !missingGate, ...(containersReady && !missingGate ? [] : notReadyWhy("Ready"))),
    make("ContainersReady", containersReady, ...(containersReady ? [] : notReadyWhy("ContainersReady"))),
  ];
  const scheduled = previous.get("PodScheduled");
  result.push(scheduled ?? make("PodScheduled", true));
  // Conditions other components own (readiness gates, DisruptionTarget) are kept as they are.
  const own = new Set(result.map((c) => c.type));
  for (const condition of input.pod.status?.conditions ?? []) if (!own.has(condition.type)) result.push(condition);
  return result;
}
