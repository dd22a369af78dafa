// Typed views of apps/v1 DaemonSet, apps/v1 ControllerRevision and core/v1 Node for the DaemonSet
// controller, upstream's label and annotation keys (apps/v1 types.go) and event reasons
// (daemon_controller.go). Objects come from informers, defaulted by the API server (updateStrategy
// RollingUpdate with maxUnavailable 1 / maxSurge 0, revisionHistoryLimit 10); these views only name
// the fields the controller reads. Cached objects are never mutated.
import type { LabelSelectorObject } from "../../api/label-selector.js";
import type { KubeObject, ObjectMeta } from "../../api/resource.js";
import type { Node as SchedulerNode, PodSpec } from "../../scheduler/api-types.js";
import type { Pod } from "../pods.js";

/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey): the revision a pod was made from. */
export const ControllerRevisionHashLabelKey = "controller-revision-hash";
/** apps.DaemonSetTemplateGenerationKey: the pre-1.6 way of marking a pod's template generation. */
export const DaemonSetTemplateGenerationKey = "pod-template-generation";
/** apps.DeprecatedTemplateGeneration: the annotation the API server used to keep the template generation in. */
export const DeprecatedTemplateGeneration = "deprecated.daemonset.template.generation";

// Event reasons of the DaemonSet controller (pod creates and deletes use PodControl's).
export const SelectingAllReason = "SelectingAll";
export const FailedPlacementReason = "FailedPlacement";
export const FailedDaemonPodReason = "FailedDaemonPod";
export const SucceededDaemonPodReason = "SucceededDaemonPod";

export const DS_API_VERSION = "apps/v1";
export const DS_KIND = "DaemonSet";

export type IntOrPercent = number | string;

export interface DaemonSetUpdateStrategy {
  type?: "RollingUpdate" | "OnDelete";
  rollingUpdate?: { maxUnavailable?: IntOrPercent; maxSurge?: IntOrPercent };
}

export interface DaemonPodTemplate {
  metadata?: ObjectMeta;
  spec?: PodSpec & Record<string, unknown>;
}

export interface DaemonSetStatus {
  currentNumberScheduled?: number;
  numberMisscheduled?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface DaemonSet extends KubeObject {
  metadata: ObjectMeta;
  spec: {
    selector?: LabelSelectorObject;
    template?: DaemonPodTemplate;
    updateStrategy?: DaemonSetUpdateStrategy;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: DaemonSetStatus;
}

export interface ControllerRevision extends KubeObject {
  metadata: ObjectMeta;
  data?: unknown;
  revision?: number;
}

export type Node = SchedulerNode & { metadata: ObjectMeta };

/** A daemon pod: the replica set view plus the scheduling fields the DaemonSet controller reads. */
export type DaemonPod = Pod & { spec?: Pod["spec"] & PodSpec };

/** Node name → the DaemonSet's pods meant for it (bound there, or pinned there by node affinity). */
export type NodeToDaemonPods = Map<string, DaemonPod[]>;

/** util.GetTemplateGeneration: the deprecated annotation as a number, undefined when absent or unparsable. */
export function getTemplateGeneration(ds: DaemonSet): number | undefined {
  const raw = ds.metadata.annotations?.[DeprecatedTemplateGeneration];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** podByCreationTimestampAndPhase: scheduled pods first, then the oldest, then by name. */
export function byCreationTimestampAndPhase(a: DaemonPod, b: DaemonPod): number {
  const aScheduled = (a.spec?.nodeName ?? "") !== "";
  const bScheduled = (b.spec?.nodeName ?? "") !== "";
  if (aScheduled !== bScheduled) return aScheduled ? -1 : 1;
  const aTime = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
  const bTime = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
  if (aTime !== bTime) return aTime - bTime;
  const aName = a.metadata.name ?? "";
  const bName = b.metadata.name ?? "";
  return aName < bName ? -1 : aName > bName ? 1 : 0;
}
