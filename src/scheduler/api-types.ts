// The fields of core/v1 Pod, Node and Namespace, and of policy/v1 PodDisruptionBudget, that the
// scheduler reads, typed. Objects arrive from informers as KubeObjects; these interfaces describe them
// without copying (the wire edge casts). Every field is optional as in JSON: the scheduler applies
// upstream's defaults where it reads them.
import type { KubeObject } from "../api/resource.js";
import type { LabelSelectorObject } from "../api/label-selector.js";

/** A resource list: name → quantity ("100m", "1Gi", 2). */
export type ResourceList = Readonly<Record<string, string | number>>;

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: PodStatus;
}

export interface PodSpec {
  nodeName?: string;
  schedulerName?: string;
  nodeSelector?: Readonly<Record<string, string>> | null;
  affinity?: Affinity | null;
  tolerations?: readonly Toleration[] | null;
  containers?: readonly Container[];
  initContainers?: readonly Container[] | null;
  overhead?: ResourceList | null;
  priority?: number;
  preemptionPolicy?: string;
  topologySpreadConstraints?: readonly TopologySpreadConstraint[] | null;
}

export interface PodStatus {
  phase?: string;
  nominatedNodeName?: string;
  startTime?: string;
}

export interface Container {
  name?: string;
  /** "Always" marks an init container as a sidecar (restartable init container). */
  restartPolicy?: string;
  resources?: { requests?: ResourceList | null; limits?: ResourceList | null } | null;
  ports?: readonly ContainerPort[] | null;
}

export interface ContainerPort {
  containerPort?: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number | null;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Affinity {
  nodeAffinity?: NodeAffinity | null;
  podAffinity?: PodAffinity | null;
  podAntiAffinity?: PodAffinity | null;
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector | null;
  preferredDuringSchedulingIgnoredDuringExecution?: readonly PreferredSchedulingTerm[] | null;
}

export interface NodeSelector {
  nodeSelectorTerms?: readonly NodeSelectorTerm[] | null;
}

export interface NodeSelectorTerm {
  matchExpressions?: readonly NodeSelectorRequirement[] | null;
  matchFields?: readonly NodeSelectorRequirement[] | null;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: readonly string[] | null;
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

/** PodAffinity and PodAntiAffinity share this shape. */
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[] | null;
  preferredDuringSchedulingIgnoredDuringExecution?: readonly WeightedPodAffinityTerm[] | null;
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelectorObject | null;
  namespaces?: readonly string[] | null;
  namespaceSelector?: LabelSelectorObject | null;
  topologyKey: string;
}

export interface WeightedPodAffinityTerm {
  weight: number;
  podAffinityTerm: PodAffinityTerm;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  labelSelector?: LabelSelectorObject | null;
  minDomains?: number | null;
  nodeAffinityPolicy?: string | null;
  nodeTaintsPolicy?: string | null;
  matchLabelKeys?: readonly string[] | null;
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: readonly Taint[] | null };
  status?: { allocatable?: ResourceList | null; capacity?: ResourceList | null };
}


export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_ZONE = "topology.kubernetes.io/zone";
export const LABEL_REGION = "topology.kubernetes.io/region";
export const TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

/** policy/v1 PodDisruptionBudget: what preemption reads of it (upstream filterPodsWithPDBViolation). */
export interface PodDisruptionBudget extends KubeObject {
  spec?: { selector?: LabelSelectorObject | null };
  status?: { disruptionsAllowed?: number; disruptedPods?: Readonly<Record<string, string>> | null };
}
