// Stopping a pod gracefully, as the kubelet's killPod does: each running main container runs its
// preStop hook and then gets SIGTERM, with SIGKILL when the grace period (shared by hook and
// signal) runs out; sidecars stop after the main containers, in reverse order; then the sandbox
// (its network) goes. Events: Killing "Stopping container NAME", FailedPreStopHook.
import type { Duplex } from "node:stream";
import type { EventRecorder } from "../client/event-recorder.js";
import { runLifecycleHook } from "./lifecycle-hooks.js";
import { isSidecar, type ContainerSpec, type Pod } from "./pod-types.js";
import { CONTAINER_NAME_LABEL, type ContainerStatus, type Runtime, type SandboxStatus } from "./runtime/runtime.js";

export interface StopDependencies {
  runtime: Runtime;
  recorder: EventRecorder;
  hostIP: string;
  dial(ip: string, port: number): Promise<Duplex>;
}

export async function stopPod(pod: Pod, sandboxes: SandboxStatus[], graceSeconds: number, deps: StopDependencies): Promise<void> {
  const deadline = Date.now() + graceSeconds * 1000;
  const running: { run: ContainerStatus; sandbox: SandboxStatus }[] = [];
  for (const sandbox of sandboxes) {
    for (const run of await deps.runtime.listContainers({ sandboxId: sandbox.id })) if (run.state === "running" || run.state === "created") running.push({ run, sandbox });
  }
  const specOf = (run: ContainerStatus): ContainerSpec | undefined => {
    const name = run.labels[CONTAINER_NAME_LABEL] ?? run.name;
    return [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === name);
  };
  const sidecarOrder = (pod.spec.initContainers ?? []).filter(isSidecar).map((c) => c.name);
  const isSidecarRun = (run: ContainerStatus) => sidecarOrder.includes(run.labels[CONTAINER_NAME_LABEL] ?? run.name);
  const stopOne = async ({ run, sandbox }: { run: ContainerStatus; sandbox: SandboxStatus }) => {
    const spec = specOf(run);
    void deps.recorder.event(pod, "Normal", "Killing", `Stopping container ${spec?.name ?? run.name}`);
    if (spec?.lifecycle?.preStop && run.state === "running") {
      try {
        await runLifecycleHook(spec.lifecycle.preStop, { runtime: deps.runtime, containerId: run.id, podIP: sandbox.ips[0] ?? deps.hostIP, spec, dial: deps.dial, timeoutMs: Math.max(0, deadline - Date.now()) });
      } catch (err) {
        void deps.recorder.event(pod, "Warning", "FailedPreStopHook", `PreStopHook failed: ${(err as Error).message}`);
      }
    }
    // Upstream gives the signal at least 2 seconds even when the hook used up the grace period.
    const remaining = graceSeconds === 0 ? 0 : Math.max(2, Math.ceil((deadline - Date.now()) / 1000));
    await deps.runtime.stopContainer(run.id, remaining);
  };
  await Promise.all(running.filter((r) => !isSidecarRun(r.run)).map(stopOne));
  const sidecars = running.filter((r) => isSidecarRun(r.run));
  sidecars.sort((a, b) => sidecarOrder.indexOf(b.run.labels[CONTAINER_NAME_LABEL] ?? b.run.name) - sidecarOrder.indexOf(a.run.labels[CONTAINER_NAME_LABEL] ?? a.run.name));
  for (const sidecar of sidecars) await stopOne(sidecar);
  for (const sandbox of sandboxes) await deps.runtime.stopPodSandbox(sandbox.id);
}
