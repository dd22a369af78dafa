// syncNodes (upstream daemon_controller.go): carries out a plan: creates one pod for each node
// needing one (the revision's template pinned to the node by node affinity, in slow-start batches
// of 1, 2, 4, ...) and deletes the named pods, at most BurstReplicas of each per sync. Expectations
// are set first, so the next sync waits for the informer to show these writes; creates that fail or
// are never attempted, and deletes that fail, are no longer expected. A namespace being torn down
// ends the creates quietly. All errors are aggregated into one.
import { StatusError } from "../../api/errors.js";
import type { OwnerReference } from "../../api/resource.js";
import { newControllerRef } from "../controller-ref.js";
import { isNamespaceTerminating, type PodControl } from "../pod-control.js";
import { slowStartBatch, SLOW_START_INITIAL_BATCH_SIZE } from "../slow-start.js";
import type { DaemonSetExpectations } from "./expectations.js";
import { DS_API_VERSION, DS_KIND, getTemplateGeneration, type DaemonSet } from "./objects.js";
import { createPodTemplate, podTemplateForNode } from "./pod-template.js";

/** Upstream BurstReplicas for DaemonSets. */
export const BURST_REPLICAS = 250;

export interface SyncNodesInput {
  key: string;
  ds: DaemonSet;
  podsToDelete: readonly string[];
  nodesNeedingDaemonPods: readonly string[];
  hash: string;
  expectations: DaemonSetExpectations;
  podControl: PodControl;
}

export async function syncNodes(input: SyncNodesInput): Promise<void> {
  const { key, ds, expectations } = input;
  const namespace = ds.metadata.namespace ?? "";
  const toCreate = input.nodesNeedingDaemonPods.slice(0, BURST_REPLICAS);
  const toDelete = input.podsToDelete.slice(0, BURST_REPLICAS);
  expectations.set(key, toCreate.length, toDelete.map((name) => `${namespace}/${name}`));
  const errors = [...(await createPods(input, toCreate)), ...(await deletePods(input, toDelete))];
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new Error(`[${errors.map((e) => (e instanceof Error ? e.message : String(e))).join(", ")}]`);
}

async function createPods(input: SyncNodesInput, nodes: readonly string[]): Promise<unknown[]> {
  const { key, ds, expectations, podControl } = input;
  const template = createPodTemplate(ds.spec.template ?? {}, getTemplateGeneration(ds), input.hash);
  const ref: OwnerReference = newControllerRef(ds, DS_API_VERSION, DS_KIND);
  const errors: unknown[] = [];
  let next = 0;
  const [, firstError] = await slowStartBatch(nodes.length, SLOW_START_INITIAL_BATCH_SIZE, async () => {
    const nodeName = nodes[next++] ?? "";
    try {
      await podControl.createPod(ds, podTemplateForNode(template, nodeName), ref);
    } catch (err) {
      // Every create fails while the namespace terminates: nothing to retry or report.
      if (isNamespaceTerminating(err)) return;
      expectations.creationObserved(key);
      errors.push(err);
      throw err;
    }
  });
  // Pods never attempted after a failed batch will not be observed.
  const skipped = nodes.length - next;
  if (firstError !== undefined && skipped > 0) expectations.lowerCreations(key, skipped);
  return errors;
}

async function deletePods(input: SyncNodesInput, names: readonly string[]): Promise<unknown[]> {
  const { key, ds, expectations, podControl } = input;
  const namespace = ds.metadata.namespace ?? "";
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        await podControl.deletePod(ds, namespace, name);
        return undefined;
      } catch (err) {
        // The informer will not observe this deletion.
        expectations.deletionObserved(key, `${namespace}/${name}`);
        return err instanceof StatusError && err.code === 404 ? undefined : err;
      }
    }),
  );
  return results.filter((e) => e !== undefined);
}
