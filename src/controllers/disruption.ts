// The disruption controller (upstream pkg/controller/disruption/disruption.go): the status of
// every PodDisruptionBudget, which the eviction API consults. A sync reads the PDB and the pods its
// selector matches from the shared caches and computes:
// - expectedPods and desiredHealthy: with an integer minAvailable, the matching pods and that
//   number; with a percentage minAvailable or any maxUnavailable, the summed scale of the pods'
//   controllers (Deployment through its ReplicaSet, ReplicaSet, StatefulSet) with the value
//   resolved against it, rounding up;
// - currentHealthy: Ready pods not being deleted and not recently evicted (status.disruptedPods
//   entries younger than two minutes; older ones draw a NotDeleted event and are dropped);
// - disruptionsAllowed: currentHealthy - desiredHealthy, never negative, 0 while nothing is expected;
// - the DisruptionAllowed condition (SufficientPods / InsufficientPods) and observedGeneration.
// Status is written through /status (compare-and-swap) only when it changed. A failure to compute
// writes the fail-safe status (no disruptions, reason SyncFailed), as upstream. Events: NoPods,
// CalculateExpectedPodCountFailed, UnmanagedPods, NotDeleted.
import { StatusError } from "../api/errors.js";
import type { LabelSelectorObject } from "../api/label-selector.js";
import type { KubeObject, ObjectMeta } from "../api/resource.js";
import { selectorOf } from "../api/resources/label-selectors.js";
import { APPS_V1, CORE_V1, type ResourceRef } from "../client/client.js";
import { defineController, keyFor, objectKey, type Controller, type KeyMapper, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { controllerRefOf } from "./controller-ref.js";
import { messageOf } from "./error-message.js";
import { getValueFromIntOrPercent } from "./int-or-percent.js";
import { isPodReady, type Pod } from "./pods.js";
import { rfc3339, timeMs } from "../api/meta-time.js";

export const DisruptionAllowedCondition = "DisruptionAllowed";
export const SufficientPodsReason = "SufficientPods";
export const InsufficientPodsReason = "InsufficientPods";
export const SyncFailedReason = "SyncFailed";
/** How long an evicted pod may take to be deleted before it counts again (upstream DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

const PDBS: ResourceRef = { group: "policy", version: "v1", resource: "poddisruptionbudgets" };
const PODS = CORE_V1("pods");
const REPLICASETS = APPS_V1("replicasets");
const DEPLOYMENTS = APPS_V1("deployments");
const STATEFULSETS = APPS_V1("statefulsets");

export interface PDBCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface PDBStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: PDBCondition[];
}

export interface PodDisruptionBudget extends KubeObject {
  metadata: ObjectMeta;
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: LabelSelectorObject | null };
  status?: Partial<PDBStatus>;
}

interface Scaled extends KubeObject {
  metadata: ObjectMeta;
  spec?: { replicas?: number };
}

interface ExpectedCounts {
  expectedCount: number;
  desiredHealthy: number;
  unmanagedPods: string[];
}

export const disruptionController: ControllerRegistration = {
  name: "disruption",
  component: "controllermanager",
  create: (ctx) => new DisruptionController(ctx).controller,
};

class DisruptionController {
  readonly controller: Controller;
  private readonly pdbInformer: Informer;
  private readonly podInformer: Informer;
  private readonly rsInformer: Informer;
  private readonly deploymentInformer: Informer;
  private readonly statefulSetInformer: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.pdbInformer = ctx.informers.informerFor(PDBS);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.rsInformer = ctx.informers.informerFor(REPLICASETS);
    this.deploymentInformer = ctx.informers.informerFor(DEPLOYMENTS);
    this.statefulSetInformer = ctx.informers.informerFor(STATEFULSETS);
    this.controller = defineController({
      name: "disruption",
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        { informer: this.pdbInformer, keys: (pdb) => [objectKey(pdb)] },
        { informer: this.podInformer, keys: this.podToPdbs },
      ],
      reads: [this.rsInformer, this.deploymentInformer, this.statefulSetInformer],
      reconcile: (key) => this.sync(key),
    });
  }

  private async sync(key: string): Promise<ReconcileResult> {
    const pdb = this.pdbInformer.get(key) as PodDisruptionBudget | undefined;
    if (!pdb) return;
    try {
      return await this.trySync(pdb);
    } catch (err) {
      // A conflict is retried without the fail-safe status.
      if (err instanceof StatusError && err.code === 409) throw err;
      this.ctx.log.error("failed to sync PDB", { key, err });
      await this.failSafe(pdb, err);
      return;
    }
  }

  private async trySync(pdb: PodDisruptionBudget): Promise<ReconcileResult> {
    const pods = this.getPodsForPdb(pdb);
    if (pods.length === 0) await this.ctx.recorder.event(pdb, "Normal", "NoPods", "No matching pods found");
    let counts: ExpectedCounts;
    try {
      counts = this.getExpectedPodCount(pdb, pods);
    } catch (err) {
      await this.ctx.recorder.event(pdb, "Warning", "CalculateExpectedPodCountFailed", `Failed to calculate the number of expected pods: ${messageOf(err)}`);
      throw err;
    }
    if (counts.unmanagedPods.length > 0) await this.recordUnmanaged(pdb);
    const nowMs = this.ctx.clock.now();
    const { disruptedPods, recheckAtMs } = await this.buildDisruptedPodMap(pods, pdb, nowMs);
    const currentHealthy = countHealthyPods(pods, disruptedPods, nowMs);
    await this.updatePdbStatus(pdb, { currentHealthy, desiredHealthy: counts.desiredHealthy, expectedPods: counts.expectedCount, disruptedPods });
    return recheckAtMs === undefined ? undefined : { requeueAfterMs: Math.max(0, recheckAtMs - nowMs) };
  }

  private getPodsForPdb(pdb: PodDisruptionBudget): Pod[] {
    const selector = selectorOf(pdb.spec?.selector ?? undefined);
    if (!selector) throw new Error(`invalid selector on PodDisruptionBudget ${objectKey(pdb)}`);
    return (this.podInformer.list(pdb.metadata.namespace) as Pod[]).filter((p) => selector.matches(p.metadata.labels));
  }

  /** getExpectedPodCount. */
  private getExpectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[]): ExpectedCounts {
    const { maxUnavailable, minAvailable } = pdb.spec ?? {};
    if (maxUnavailable !== undefined) {
      const { expectedCount, unmanagedPods } = this.getExpectedScale(pods);
      const desiredHealthy = Math.max(0, expectedCount - getValueFromIntOrPercent(maxUnavailable, expectedCount, true));
      return { expectedCount, desiredHealthy, unmanagedPods };
    }
    if (typeof minAvailable === "number") return { expectedCount: pods.length, desiredHealthy: minAvailable, unmanagedPods: [] };
    if (typeof minAvailable === "string") {
      const { expectedCount, unmanagedPods } = this.getExpectedScale(pods);
      return { expectedCount, desiredHealthy: getValueFromIntOrPercent(minAvailable, expectedCount, true), unmanagedPods };
    }
    return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
  }

  /** getExpectedScale: the summed scale of the pods' controllers, each counted once. */
  private getExpectedScale(pods: readonly Pod[]): { expectedCount: number; unmanagedPods: string[] } {
    const controllerScale = new Map<string, number>();
    const unmanagedPods: string[] = [];
    for (const pod of pods) {
      const ref = controllerRefOf(pod);
      if (!ref) {
        unmanagedPods.push(pod.metadata.name ?? "");
        continue;
      }
      if (controllerScale.has(ref.uid)) continue;
      const found = this.findController(ref, pod.metadata.namespace);
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name ?? ""}"`);
      controllerScale.set(found.uid, found.scale);
    }
    let expectedCount = 0;
    for (const scale of controllerScale.values()) expectedCount += scale;
    return { expectedCount, unmanagedPods };
  }

  /** The finders in upstream's order: Deployment (through its ReplicaSet), ReplicaSet, StatefulSet. */
  private findController(ref: ControllerRef, namespace: string | undefined): { uid: string; scale: number } | undefined {
    if (groupOf(ref.apiVersion) !== "apps") return undefined;
    if (ref.kind === "ReplicaSet") {
      const rs = this.resolve(this.rsInformer, ref, namespace);
      if (!rs) return undefined;
      const rsRef = controllerRefOf(rs);
      // A ReplicaSet of a Deployment counts through the Deployment.
      if (rsRef?.kind === "Deployment") return scaleOf(this.resolve(this.deploymentInformer, rsRef, namespace));
      return scaleOf(rs);
    }
    if (ref.kind === "StatefulSet") return scaleOf(this.resolve(this.statefulSetInformer, ref, namespace));
    return undefined;
  }

  private resolve(informer: Informer, ref: ControllerRef, namespace: string | undefined): Scaled | undefined {
    const obj = informer.get(keyFor(namespace, ref.name)) as Scaled | undefined;
    return obj?.metadata.uid === ref.uid ? obj : undefined;
  }

  private async recordUnmanaged(pdb: PodDisruptionBudget): Promise<void> {
    const message =
      `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found to be unmanaged. ` +
      "As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. " +
      'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.';
    await this.ctx.recorder.event(pdb, "Warning", "UnmanagedPods", message);
  }

  /** buildDisruptedPodMap: recent evictions still pending; when to look again. */
  private async buildDisruptedPodMap(pods: readonly Pod[], pdb: PodDisruptionBudget, nowMs: number): Promise<{ disruptedPods: Record<string, string>; recheckAtMs?: number }> {
    const recorded = pdb.status?.disruptedPods ?? {};
    const disruptedPods: Record<string, string> = {};
    let recheckAtMs: number | undefined;
    for (const pod of pods) {
      const name = pod.metadata.name ?? "";
      const at = recorded[name];
      const atMs = timeMs(at);
      if (pod.metadata.deletionTimestamp || at === undefined || atMs === undefined) continue;
      const expectedDeletion = atMs + DELETION_TIMEOUT_MS;
      if (expectedDeletion < nowMs) {
        const message = `Pod was expected by PDB ${pdb.metadata.namespace ?? ""}/${pdb.metadata.name ?? ""} to be deleted but it wasn't`;
        await this.ctx.recorder.event(pod, "Warning", "NotDeleted", message);
        continue;
      }
      if (recheckAtMs === undefined || expectedDeletion < recheckAtMs) recheckAtMs = expectedDeletion;
      disruptedPods[name] = at;
    }
    return { disruptedPods, recheckAtMs };
  }

  /** updatePdbStatus: writes the status unless it is already the stored one. */
  private async updatePdbStatus(pdb: PodDisruptionBudget, computed: Omit<PDBStatus, "disruptionsAllowed" | "conditions">): Promise<void> {
    let disruptionsAllowed = computed.currentHealthy - computed.desiredHealthy;
    // Nothing expected yet means no disruption: the first pods of a new PDB are safe.
    if (computed.expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
    const status = pdb.status ?? {};
    const generation = pdb.metadata.generation ?? 0;
    const unchanged =
      status.currentHealthy === computed.currentHealthy && status.desiredHealthy === computed.desiredHealthy && status.expectedPods === computed.expectedPods &&
      status.disruptionsAllowed === disruptionsAllowed && sameDisruptedPods(status.disruptedPods, computed.disruptedPods) && conditionsAreUpToDate(pdb);
    if (unchanged) return;
    const next: PDBStatus = { ...computed, disruptionsAllowed, observedGeneration: generation || undefined, conditions: [...(status.conditions ?? [])] };
    if (Object.keys(computed.disruptedPods ?? {}).length === 0) delete next.disruptedPods;
    const sufficient = disruptionsAllowed > 0;
    setStatusCondition(next, { status: sufficient ? "True" : "False", reason: sufficient ? SufficientPodsReason : InsufficientPodsReason, message: "" }, this.ctx.clock.now());
    await this.ctx.client.update(PDBS, pdb.metadata.namespace, { ...pdb, status: next }, { subresource: "status" });
  }

  /** failSafe: no disruptions allowed, DisruptionAllowed False with reason SyncFailed. */
  private async failSafe(pdb: PodDisruptionBudget, err: unknown): Promise<void> {
    const status = pdb.status ?? {};
    const next: PDBStatus = {
      currentHealthy: status.currentHealthy ?? 0, desiredHealthy: status.desiredHealthy ?? 0, expectedPods: status.expectedPods ?? 0, disruptionsAllowed: 0,
      observedGeneration: status.observedGeneration, disruptedPods: status.disruptedPods, conditions: [...(status.conditions ?? [])],
    };
    setStatusCondition(next, { status: "False", reason: SyncFailedReason, message: messageOf(err) }, this.ctx.clock.now());
    await this.ctx.client.update(PDBS, pdb.metadata.namespace, { ...pdb, status: next }, { subresource: "status" });
  }

  /** Pod → every PDB of its namespace whose selector matches it. */
  private readonly podToPdbs: KeyMapper = (pod) =>
    (this.pdbInformer.list(pod.metadata?.namespace) as PodDisruptionBudget[])
      .filter((pdb) => selectorOf(pdb.spec?.selector ?? undefined)?.matches(pod.metadata?.labels) === true)
      .map(objectKey);
}

type ControllerRef = NonNullable<ReturnType<typeof controllerRefOf>>;

function scaleOf(obj: Scaled | undefined): { uid: string; scale: number } | undefined {
  return obj ? { uid: obj.metadata.uid ?? "", scale: obj.spec?.replicas ?? 1 } : undefined;
}

/** countHealthyPods: Ready, not being deleted, not evicted within the deletion timeout. */
export function countHealthyPods(pods: readonly Pod[], disruptedPods: Record<string, string>, nowMs: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const disruptedAt = timeMs(disruptedPods[pod.metadata.name ?? ""]);
    if (disruptedAt !== undefined && disruptedAt + DELETION_TIMEOUT_MS > nowMs) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/** pdbhelper.ConditionsAreUpToDate. */
function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const cond = pdb.status?.conditions?.find((c) => c.type === DisruptionAllowedCondition);
  if (!cond || (pdb.status?.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) return cond.status === "True" && cond.reason === SufficientPodsReason;
  return cond.status === "False" && cond.reason === InsufficientPodsReason;
}

/** apimeta.SetStatusCondition for DisruptionAllowed: the transition time moves only when the status does. */
function setStatusCondition(status: PDBStatus, want: Pick<PDBCondition, "status" | "reason" | "message">, nowMs: number): void {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === DisruptionAllowedCondition);
  const lastTransitionTime = existing && existing.status === want.status ? existing.lastTransitionTime : rfc3339(nowMs);
  const condition: PDBCondition = { type: DisruptionAllowedCondition, ...want, observedGeneration: status.observedGeneration, lastTransitionTime };
  status.conditions = existing ? conditions.map((c) => (c === existing ? condition : c)) : [...conditions, condition];
}

function sameDisruptedPods(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  return Object.keys(x).length === Object.keys(y).length && Object.entries(x).every(([k, v]) => y[k] === v);
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
