// Test helpers for workload controllers on a server with no scheduler or node agent: tests play the
// kubelet by writing pod status themselves (phase Running and a Ready condition, or a readiness
// probe flipping Ready), and wait on conditions read from the API with a deadline, never for a
// fixed time.
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client } from "../../src/client/client.js";
import { rfc3339 } from "./fixtures.js";

const PODS = CORE_V1("pods");

/** Writes a pod's status as a kubelet would: re-reads the pod and retries on write conflicts. */
export async function updatePodStatus(client: Client, namespace: string, name: string, statusOf: (pod: KubeObject) => unknown): Promise<KubeObject> {
  for (;;) {
    const pod = await client.get(PODS, namespace, name);
    try {
      return await client.update(PODS, namespace, { ...pod, status: statusOf(pod) }, { subresource: "status" });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  }
}

/** Marks a pod Running and Ready (as a kubelet would), retrying on write conflicts. */
export async function markPodReady(client: Client, namespace: string, name: string): Promise<KubeObject> {
  return updatePodStatus(client, namespace, name, () => {
    const now = rfc3339(Date.now());
    return {
      phase: "Running",
      conditions: [
        { type: "Initialized", status: "True", lastTransitionTime: now },
        { type: "Ready", status: "True", lastTransitionTime: now },
        { type: "ContainersReady", status: "True", lastTransitionTime: now },
        { type: "PodScheduled", status: "True", lastTransitionTime: now },
      ],
      startTime: now,
    };
  });
}

/** Sets a pod's Ready (and ContainersReady) condition, as a kubelet's probe would; compare-and-swap. */
export async function setPodReady(client: Client, namespace: string, name: string, ready: boolean): Promise<void> {
  await updatePodStatus(client, namespace, name, (pod) => {
    const status = structuredClone(pod.status) as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
    const now = rfc3339(Date.now());
    status.conditions = (status.conditions ?? []).map((c) => (c.type === "Ready" || c.type === "ContainersReady" ? { ...c, status: ready ? "True" : "False", lastTransitionTime: now } : c));
    return status;
  });
}

export function isReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

/** Polls `probe` until it returns something other than undefined/false; fails after deadlineMs. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, deadlineMs = 20_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
  }
}
