// What the agent's streaming server needs from the agent: a pod's container run (its log file,
// for `logs` and `logs --previous`, and its id for exec and attach) and a pod's sandbox (for
// port-forward), found through the runtime by the pod's uid. Errors carry upstream's wording.
import type { NodeAgent } from "./agent.js";
import { CONTAINER_NAME_LABEL, podSandboxes } from "./runtime/runtime.js";
import { containerNotFound, podNotFound, previousNotFound, PodStreamError, type ContainerTarget, type PodStreamsSource, type SandboxTarget } from "./server/streams-source.js";

export function agentStreamsSource(agent: NodeAgent): PodStreamsSource {
  return {
    get runtime() {
      return agent.runtime;
    },
    async resolveContainer(namespace, podName, container, options): Promise<ContainerTarget> {
      const pod = agent.pod(namespace, podName);
      if (!pod) throw podNotFound(namespace, podName);
      const specs = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
      if (!specs.some((c) => c.name === container)) throw containerNotFound(podName, container);
      const runs = [];
      for (const sandbox of await podSandboxes(agent.runtime, pod.metadata?.uid ?? "")) {
        for (const run of await agent.runtime.listContainers({ sandboxId: sandbox.id })) if ((run.labels[CONTAINER_NAME_LABEL] ?? run.name) === container) runs.push(run);
      }
      runs.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.attempt - b.attempt);
      const run = options.previous ? runs.at(-2) : runs.at(-1);
      if (!run) {
        if (options.previous) throw previousNotFound(podName, container);
        throw new PodStreamError(400, "BadRequest", `container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
      }
      return { containerId: run.id, logPath: run.logPath, running: run.state === "running" };
    },
    async resolveSandbox(namespace, podName): Promise<SandboxTarget> {
      const pod = agent.pod(namespace, podName);
      if (!pod) throw podNotFound(namespace, podName);
      const uid = pod.metadata?.uid ?? "";
      const sandbox = (await podSandboxes(agent.runtime, uid)).find((s) => s.state === "ready");
      if (!sandbox) throw new PodStreamError(400, "BadRequest", `pod ${podName} has no running sandbox on this node`);
      return { sandboxId: sandbox.id, podUid: uid };
    },
  };
}
