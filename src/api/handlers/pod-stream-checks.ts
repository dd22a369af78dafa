// What the API server checks before it sends a logs, exec, attach or port-forward request to a
// node, in upstream's words (pkg/registry/core/pod/strategy.go: LogLocation, streamLocation):
// which container (the only one, the default-container annotation, or the caller must choose),
// whether the pod is bound to a node, and whether the container can be streamed from.
import { badRequest, StatusError } from "../errors.js";
import type { KubeObject } from "../resource.js";

export const DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

interface ContainerSpec {
  name: string;
}

interface ContainerStatusView {
  name: string;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: unknown };
  lastState?: { terminated?: unknown };
}

interface PodView {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: { nodeName?: string; containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; ephemeralContainers?: ContainerSpec[] };
  status?: { phase?: string; containerStatuses?: ContainerStatusView[]; initContainerStatuses?: ContainerStatusView[]; ephemeralContainerStatuses?: ContainerStatusView[] };
}

export type StreamKind = "log" | "exec" | "attach" | "portforward";

/** The container the request is about: the named one, the only one, or the default-container annotation's. */
export function chooseContainer(pod: KubeObject, requested: string | null): string {
  const view = pod as PodView;
  const name = view.metadata?.name ?? "";
  const containers = view.spec?.containers ?? [];
  const all = [...containers, ...(view.spec?.initContainers ?? []), ...(view.spec?.ephemeralContainers ?? [])];
  if (requested) {
    if (!all.some((c) => c.name === requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const annotated = view.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && all.some((c) => c.name === annotated)) return annotated;
  if (containers.length === 1) return containers[0]!.name;
  const names = containers.map((c) => c.name);
  const init = (view.spec?.initContainers ?? []).map((c) => c.name);
  let message = `a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`;
  if (init.length > 0) message += ` or one of the init containers: [${init.join(" ")}]`;
  throw badRequest(message);
}

/** The node the pod runs on, or upstream's 400 when it has none yet. */
export function assignedNode(pod: KubeObject): string {
  const view = pod as PodView;
  const node = view.spec?.nodeName;
  if (!node) throw badRequest(`pod ${view.metadata?.name ?? ""} does not have a host assigned`);
  return node;
}

/**
 * Whether the container can be streamed from. Logs of a waiting container are refused as
 * upstream's kubelet does (`container "x" in pod "y" is waiting to start: ContainerCreating`);
 * `previous` needs a terminated earlier run; exec and attach need it running.
 */
export function checkContainerState(pod: KubeObject, container: string, kind: StreamKind, previous: boolean): void {
  const view = pod as PodView;
  const podName = view.metadata?.name ?? "";
  if (kind === "portforward") {
    if (view.status?.phase !== "Running") throw badRequest(`unable to forward port because pod is not running. Current status=${view.status?.phase ?? "Unknown"}`);
    return;
  }
  if (view.status?.phase === "Succeeded" || view.status?.phase === "Failed") {
    if (kind !== "log") throw badRequest(`cannot ${kind} into a container in a completed pod; current phase is ${view.status.phase}`);
  }
  const status = [...(view.status?.containerStatuses ?? []), ...(view.status?.initContainerStatuses ?? []), ...(view.status?.ephemeralContainerStatuses ?? [])].find((s) => s.name === container);
  if (kind === "log" && previous) {
    if (!status?.lastState?.terminated) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return;
  }
  const waiting = status?.state?.waiting;
  if (!status || (waiting && !status.state?.running && !status.state?.terminated)) {
    const reason = waiting?.reason ?? "ContainerCreating";
    throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
  }
  if (kind !== "log" && !status.state?.running) throw badRequest(`container ${container} is not running in pod ${podName}`);
}

/** kubectl exec against a pod on a node with no agent: said plainly, never a hang. */
export function noAgent(node: string, why: string): StatusError {
  return new StatusError(502, "InternalError", `error dialing backend: node "${node}" ${why}`);
}
