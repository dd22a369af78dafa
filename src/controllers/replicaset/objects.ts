// Typed view of the apps/v1 ReplicaSet as the workload controllers read it (the ReplicaSet
// controller itself and the Deployment controller that owns ReplicaSets). Objects come from
// informers, already defaulted by the API server; the view only names the fields controllers use.
// Never mutate a cached object.
import type { LabelSelectorObject } from "../../api/label-selector.js";
import type { KubeObject, ObjectMeta } from "../../api/resource.js";
import type { PodTemplate } from "../pods.js";

export interface ReplicaSetCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicaSet extends KubeObject {
  metadata: ObjectMeta;
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelectorObject; template?: PodTemplate };
  status?: ReplicaSetStatus;
}
