// What the node agent gives its streaming server: how to find a pod's container (its runtime id
// and log file) or sandbox, and the runtime that execs, attaches and forwards ports. Failures are
// typed (PodStreamError) and carry upstream's wording, so the server can answer with a Status.
import type { Runtime } from "../runtime/runtime.js";

export interface ContainerTarget {
  /** The runtime's container id (for exec/attach and to ask whether it still runs). */
  containerId: string;
  /** Absolute path of the log file asked for (the previous attempt's with `previous`). */
  logPath: string;
  /** Whether that container is running now (a previous attempt never is). */
  running: boolean;
}

export interface SandboxTarget {
  sandboxId: string;
  /** For messages: "error forwarding port 80 to pod web, uid 1234". */
  podUid?: string;
}

export interface PodStreamsSource {
  /** The container of a pod on this node; throws PodStreamError when there is none. */
  resolveContainer(namespace: string, pod: string, container: string, options: { previous: boolean }): Promise<ContainerTarget>;
  /** The pod's sandbox on this node; throws PodStreamError when there is none. */
  resolveSandbox(namespace: string, pod: string): Promise<SandboxTarget>;
  runtime: Pick<Runtime, "exec" | "attach" | "portForward" | "containerStatus">;
}

export type PodStreamErrorReason = "BadRequest" | "NotFound" | "InternalError";

export class PodStreamError extends Error {
  constructor(readonly code: 400 | 404 | 500, readonly reason: PodStreamErrorReason, message: string) {
    super(message);
    this.name = "PodStreamError";
  }
}

export const podNotFound = (namespace: string, pod: string) =>
  new PodStreamError(404, "NotFound", `pod "${pod}" not found in namespace "${namespace}" on this node`);

export const containerNotFound = (pod: string, container: string) =>
  new PodStreamError(400, "BadRequest", `container ${container} is not valid for pod ${pod}`);

export const previousNotFound = (pod: string, container: string) =>
  new PodStreamError(400, "BadRequest", `previous terminated container "${container}" in pod "${pod}" not found`);

export const containerNotRunning = (pod: string, container: string) =>
  new PodStreamError(400, "BadRequest", `container ${container} is not running in pod ${pod}`);
