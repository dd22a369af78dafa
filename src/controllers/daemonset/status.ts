// A DaemonSet's status as upstream computes and stores it (updateDaemonSetStatus and
// storeDaemonSetStatus): over the nodes that should run the pod, desiredNumberScheduled; of those
// with a pod, currentNumberScheduled, and by the oldest pod there, numberReady, numberAvailable
// (ready for minReadySeconds) and updatedNumberScheduled (current revision); pods on nodes that
// should not run one are numberMisscheduled; numberUnavailable is desired minus available.
// Written through /status (compare-and-swap, one re-read and retry on conflict) only when a count
// changed or observedGeneration lags; observedGeneration is raised only by a sync that acted on the
// generation (not one waiting for expectations).
import { StatusError } from "../../api/errors.js";
import { APPS_V1, type Client } from "../../client/client.js";
import { isPodAvailable, isPodReady } from "../pods.js";
import { nodeShouldRunDaemonPod } from "./node-should-run.js";
import { byCreationTimestampAndPhase, getTemplateGeneration, type DaemonSet, type DaemonSetStatus, type Node, type NodeToDaemonPods } from "./objects.js";
import { isPodUpdated } from "./pod-template.js";

const DAEMONSETS = APPS_V1("daemonsets");
/** StatusUpdateRetries upstream. */
const STATUS_UPDATE_RETRIES = 1;

export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

const COUNT_FIELDS = [
  "desiredNumberScheduled", "currentNumberScheduled", "numberMisscheduled", "numberReady", "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
] as const;

export function calculateStatus(ds: DaemonSet, nodes: readonly Node[], nodeToDaemonPods: NodeToDaemonPods, hash: string, nowMs: number): DaemonSetCounts {
  const counts: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  const generation = getTemplateGeneration(ds);
  for (const node of nodes) {
    const pods = nodeToDaemonPods.get(node.metadata.name ?? "") ?? [];
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (pods.length > 0) counts.numberMisscheduled++;
      continue;
    }
    counts.desiredNumberScheduled++;
    const [oldest] = [...pods].sort(byCreationTimestampAndPhase);
    if (!oldest) continue;
    counts.currentNumberScheduled++;
    if (isPodReady(oldest)) {
      counts.numberReady++;
      if (isPodAvailable(oldest, ds.spec.minReadySeconds ?? 0, nowMs)) counts.numberAvailable++;
    }
    if (isPodUpdated(oldest, hash, generation)) counts.updatedNumberScheduled++;
  }
  counts.numberUnavailable = counts.desiredNumberScheduled - counts.numberAvailable;
  return counts;
}

/** storeDaemonSetStatus. */
export async function storeDaemonSetStatus(client: Client, ds: DaemonSet, counts: DaemonSetCounts, updateObservedGen: boolean): Promise<void> {
  const status = ds.status ?? {};
  const generation = ds.metadata.generation ?? 0;
  const same = COUNT_FIELDS.every((f) => (status[f] ?? 0) === counts[f]) && (status.observedGeneration ?? 0) >= generation;
  if (same) return;
  let current = ds;
  for (let attempt = 0; ; attempt++) {
    const next = { ...current.status, ...wireCounts(counts) } satisfies DaemonSetStatus;
    if (updateObservedGen && generation) next.observedGeneration = generation;
    try {
      await client.update(DAEMONSETS, current.metadata.namespace, { ...current, status: next }, { subresource: "status" });
      return;
    } catch (err) {
      if (attempt >= STATUS_UPDATE_RETRIES || !(err instanceof StatusError) || err.code !== 409) throw err;
      current = (await client.get(DAEMONSETS, ds.metadata.namespace, ds.metadata.name ?? "")) as DaemonSet;
    }
  }
}

/** The wire form: the four required counts always, the optional ones only when non-zero. */
function wireCounts(counts: DaemonSetCounts): DaemonSetStatus {
  const out: DaemonSetStatus = {
    currentNumberScheduled: counts.currentNumberScheduled,
    numberMisscheduled: counts.numberMisscheduled,
    desiredNumberScheduled: counts.desiredNumberScheduled,
    numberReady: counts.numberReady,
  };
  for (const field of ["updatedNumberScheduled", "numberAvailable", "numberUnavailable"] as const) out[field] = counts[field] || undefined;
  return out;
}
