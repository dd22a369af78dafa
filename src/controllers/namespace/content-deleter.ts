// Deletes everything in a namespace (upstream namespace/deletion namespaced_resources_deleter.go,
// deleteAllContent): for every namespaced resource that can be listed and deleted, delete each
// item with Background propagation (so the garbage collector adds no orphan finalizer), then list
// again and report what remains and which finalizers hold it. The estimate says how long to wait
// before looking again: the longest grace period of running pods (zero once that much time has
// passed since the namespace was deleted), 15 s when finalizers hold content, zero when empty.
// Content that remains with neither is an error (retried with backoff).
import type { KubeObject } from "../../api/resource.js";
import type { Client } from "../../client/client.js";
import type { ServedResource } from "../served-resources.js";
import { StatusError } from "../../api/errors.js";
import type { ContentTotals } from "./conditions.js";

/** upstream's finalizerEstimateSeconds: a default wait for finalizers to complete. */
const FINALIZER_ESTIMATE_SECONDS = 15;
/** Deletes in flight at once within one resource. */
const DELETE_BATCH = 50;

export interface DeletionOutcome {
  /** Seconds before the remaining content is expected gone; 0 when nothing is left to wait for. */
  estimateSeconds: number;
  totals: ContentTotals;
  errors: Error[];
}

interface ResourceOutcome {
  estimateSeconds: number;
  remaining: number;
  finalizers: Map<string, number>;
}

export class ContentDeleter {
  constructor(
    private readonly client: Client,
    private readonly resources: readonly ServedResource[],
  ) {}

  /** One pass over every resource; failures of one resource do not stop the others. */
  async deleteAllContent(namespace: string, secondsSinceDeletion: number): Promise<DeletionOutcome> {
    const outcome: DeletionOutcome = { estimateSeconds: 0, totals: { remainingByResource: new Map(), remainingByFinalizer: new Map(), deleteErrors: [] }, errors: [] };
    for (const resource of this.resources) {
      try {
        add(outcome, resource, await this.deleteAllContentFor(resource, namespace, secondsSinceDeletion));
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        outcome.errors.push(error);
        outcome.totals.deleteErrors.push(error.message);
      }
    }
    return outcome;
  }

  private async deleteAllContentFor(resource: ServedResource, namespace: string, secondsSinceDeletion: number): Promise<ResourceOutcome> {
    let estimate = isPods(resource) ? await this.estimateGracefulTerminationForPods(namespace) : 0;
    if (secondsSinceDeletion >= estimate) estimate = 0;
    await this.deleteEachItem(resource, namespace);
    const remaining = (await this.client.list(resource.ref, { namespace })).items;
    if (remaining.length === 0) return { estimateSeconds: 0, remaining: 0, finalizers: new Map() };
    const finalizers = countFinalizers(remaining);
    if (estimate === 0 && finalizers.size > 0) estimate = FINALIZER_ESTIMATE_SECONDS;
    if (estimate === 0) throw new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${gvrOf(resource)}`);
    return { estimateSeconds: estimate, remaining: remaining.length, finalizers };
  }

  private async deleteEachItem(resource: ServedResource, namespace: string): Promise<void> {
    // Objects already being deleted need no second request: their deletion is under way.
    const items = (await this.client.list(resource.ref, { namespace })).items.filter((item) => !item.metadata?.deletionTimestamp);
    for (let i = 0; i < items.length; i += DELETE_BATCH) {
      await Promise.all(items.slice(i, i + DELETE_BATCH).map((item) => this.deleteItem(resource, namespace, item)));
    }
  }

  private async deleteItem(resource: ServedResource, namespace: string, item: KubeObject): Promise<void> {
    try {
      await this.client.delete(resource.ref, namespace, item.metadata?.name ?? "", { propagationPolicy: "Background" });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The longest terminationGracePeriodSeconds of the namespace's pods that have not finished. */
  private async estimateGracefulTerminationForPods(namespace: string): Promise<number> {
    const pods = (await this.client.list({ group: "", version: "v1", resource: "pods" }, { namespace })).items;
    let estimate = 0;
    for (const pod of pods) {
      const phase = (pod.status as { phase?: string } | undefined)?.phase;
      if (phase === "Succeeded" || phase === "Failed") continue;
      const grace = (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
      if (typeof grace === "number" && grace > estimate) estimate = grace;
    }
    return estimate;
  }
}

function add(outcome: DeletionOutcome, resource: ServedResource, result: ResourceOutcome): void {
  outcome.estimateSeconds = Math.max(outcome.estimateSeconds, result.estimateSeconds);
  if (result.remaining === 0) return;
  outcome.totals.remainingByResource.set(`${resource.ref.resource}.${resource.ref.group}`, result.remaining);
  for (const [finalizer, n] of result.finalizers) {
    outcome.totals.remainingByFinalizer.set(finalizer, (outcome.totals.remainingByFinalizer.get(finalizer) ?? 0) + n);
  }
}

function countFinalizers(items: readonly KubeObject[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) for (const finalizer of item.metadata?.finalizers ?? []) counts.set(finalizer, (counts.get(finalizer) ?? 0) + 1);
  return counts;
}

function isPods(resource: ServedResource): boolean {
  return resource.ref.group === "" && resource.ref.resource === "pods";
}

/** upstream prints a GroupVersionResource as "group/version, Resource=plural". */
function gvrOf(resource: ServedResource): string {
  return `${resource.ref.group}/${resource.ref.version}, Resource=${resource.ref.resource}`;
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}
