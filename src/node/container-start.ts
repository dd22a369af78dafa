// Starting one container of a pod, the kubelet's startContainer: resolve the image, build the
// environment, create and start it in the pod's sandbox, then run its postStart hook. Each step's
// failure becomes the container's waiting reason and an event worded as upstream's
// (ErrImageNeverPull, CreateContainerConfigError, CreateContainerError, RunContainerError,
// FailedPostStartHook), never a crashed agent.
import { Quantity } from "../api/quantity.js";
import type { EventRecorder } from "../client/event-recorder.js";
import { containerEnvironment, ContainerConfigError, expandReferences, type ConfigSource } from "./container-env.js";
import { runLifecycleHook } from "./lifecycle-hooks.js";
import type { ContainerSpec, Pod } from "./pod-types.js";
import { CONTAINER_NAME_LABEL, CreateContainerError, ImageNotFoundError, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL, type ContainerResources, type Mount, type Runtime } from "./runtime/runtime.js";
import type { Duplex } from "node:stream";

export interface StartContext {
  pod: Pod;
  spec: ContainerSpec;
  attempt: number;
  sandboxId: string;
  podIPs: string[];
  hostIP: string;
  mounts: Mount[];
  runtime: Runtime;
  config: ConfigSource;
  recorder: EventRecorder;
  nodeAllocatable: Record<string, string>;
  dial(ip: string, port: number): Promise<Duplex>;
}

export type StartResult = { started: true; containerId: string } | { started: false; reason: string; message: string };

export async function startContainer(context: StartContext): Promise<StartResult> {
  const { pod, spec, runtime, recorder } = context;
  const fail = (reason: string, message: string, eventMessage = `Error: ${message}`): StartResult => {
    void recorder.event(pod, "Warning", "Failed", eventMessage);
    return { started: false, reason, message };
  };
  const image = spec.image ?? "";
  if (!spec.command?.length) {
    try {
      await runtime.imageStatus(image);
    } catch (err) {
      if (err instanceof ImageNotFoundError) {
        void recorder.event(pod, "Warning", "ErrImageNeverPull", err.message);
        return fail(err.reason, err.message, `Error: ${err.reason}`);
      }
      throw err;
    }
  }
  void recorder.event(pod, "Normal", "Pulled", `Container image "${image}" already present on machine`);
  let env: { name: string; value: string }[];
  try {
    env = await containerEnvironment({ pod, container: spec, hostIP: context.hostIP, podIPs: context.podIPs, nodeAllocatable: context.nodeAllocatable, config: context.config });
  } catch (err) {
    if (err instanceof ContainerConfigError) return fail(err.reason, err.message);
    throw err;
  }
  const envMap = new Map(env.map((e) => [e.name, e.value]));
  const security = { ...pod.spec.securityContext, ...spec.securityContext };
  let containerId: string;
  try {
    containerId = await runtime.createContainer(context.sandboxId, {
      name: spec.name,
      attempt: context.attempt,
      image,
      command: (spec.command ?? []).map((c) => expandReferences(c, envMap)),
      args: (spec.args ?? []).map((a) => expandReferences(a, envMap)),
      env,
      workingDir: spec.workingDir,
      mounts: context.mounts,
      tty: spec.tty ?? false,
      stdin: spec.stdin ?? false,
      stdinOnce: spec.stdinOnce ?? false,
      runAsUser: security.runAsUser,
      runAsGroup: security.runAsGroup,
      resources: containerResources(spec),
      logPath: `${spec.name}/${context.attempt}.log`,
      labels: {
        [POD_UID_LABEL]: pod.metadata?.uid ?? "",
        [POD_NAME_LABEL]: pod.metadata?.name ?? "",
        [POD_NAMESPACE_LABEL]: pod.metadata?.namespace ?? "",
        [CONTAINER_NAME_LABEL]: spec.name,
      },
    });
  } catch (err) {
    if (err instanceof ImageNotFoundError || err instanceof CreateContainerError) return fail(err.reason, err.message);
    return fail("CreateContainerError", (err as Error).message);
  }
  void recorder.event(pod, "Normal", "Created", `Created container ${spec.name}`);
  try {
    await runtime.startContainer(containerId);
  } catch (err) {
    return fail("RunContainerError", (err as Error).message);
  }
  void recorder.event(pod, "Normal", "Started", `Started container ${spec.name}`);
  if (spec.lifecycle?.postStart) {
    try {
      await runLifecycleHook(spec.lifecycle.postStart, { runtime, containerId, podIP: context.podIPs[0] ?? context.hostIP, spec, dial: context.dial, timeoutMs: 30_000 });
    } catch (err) {
      void recorder.event(pod, "Warning", "FailedPostStartHook", (err as Error).message);
      // upstream kills a container whose postStart hook failed; the restart policy decides the rest.
      await runtime.stopContainer(containerId, gracePeriodSeconds(pod));
    }
  }
  return { started: true, containerId };
}

/** The container's cgroup limits from its resources (requests default to limits, as the API does). */
export function containerResources(spec: ContainerSpec): ContainerResources {
  const limits = spec.resources?.limits ?? {};
  const requests = spec.resources?.requests ?? {};
  const millis = (value: string | number | undefined) => (value === undefined ? undefined : Quantity.fromJSON(value).milliValue());
  const bytes = (value: string | number | undefined) => (value === undefined ? undefined : Quantity.fromJSON(value).value());
  return {
    cpuLimitMillis: millis(limits.cpu),
    cpuRequestMillis: millis(requests.cpu ?? limits.cpu),
    memoryLimitBytes: bytes(limits.memory),
  };
}

export function gracePeriodSeconds(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
}
