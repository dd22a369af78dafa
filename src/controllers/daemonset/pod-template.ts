// The pod a DaemonSet creates for one node, and how it is recognised afterwards (upstream
// pkg/controller/daemon/util): CreatePodTemplate adds the daemon tolerations and the
// controller-revision-hash label (and the deprecated pod-template-generation label when the
// DaemonSet carries the old annotation); ReplaceDaemonSetPodNodeNameNodeAffinity pins the pod to its
// node with a required `metadata.name In [node]` matchFields term, so the default scheduler binds it
// there (upstream since 1.12); GetTargetNodeName reads that node back from a pod not yet bound;
// IsPodUpdated tells pods of the current revision from older ones. Returns new objects only.
import type { Affinity, NodeSelectorTerm } from "../../scheduler/api-types.js";
import { OBJECT_NAME_FIELD } from "../../scheduler/node-affinity.js";
import { daemonPodTolerations } from "./node-should-run.js";
import { ControllerRevisionHashLabelKey, DaemonSetTemplateGenerationKey, type DaemonPod, type DaemonPodTemplate } from "./objects.js";

/** CreatePodTemplate: a deep copy of the template with tolerations and revision labels. */
export function createPodTemplate(template: DaemonPodTemplate, generation: number | undefined, hash: string): DaemonPodTemplate {
  const copy = structuredClone(template);
  const spec = { ...copy.spec, tolerations: daemonPodTolerations(copy) };
  const labels: Record<string, string> = { ...copy.metadata?.labels };
  if (generation !== undefined) labels[DaemonSetTemplateGenerationKey] = String(generation);
  if (hash !== "") labels[ControllerRevisionHashLabelKey] = hash;
  return { metadata: { ...copy.metadata, labels }, spec };
}

/** The template for nodeName: its required node affinity replaced by the node-name term. */
export function podTemplateForNode(template: DaemonPodTemplate, nodeName: string): DaemonPodTemplate {
  const spec = { ...template.spec, affinity: replaceDaemonSetPodNodeNameNodeAffinity(template.spec?.affinity ?? undefined, nodeName) };
  return { metadata: template.metadata, spec };
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become exactly one, matching the
 * node's name; preferred terms and pod (anti-)affinity are kept.
 */
export function replaceDaemonSetPodNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = { matchFields: [{ key: OBJECT_NAME_FIELD, operator: "In", values: [nodeName] }] };
  const nodeAffinity = { ...affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return { ...affinity, nodeAffinity };
}

/**
 * GetTargetNodeName: spec.nodeName, or for a pod not yet bound the node its `metadata.name In`
 * matchFields term names; undefined when neither says.
 */
export function getTargetNodeName(pod: DaemonPod): string | undefined {
  const nodeName = pod.spec?.nodeName ?? "";
  if (nodeName !== "") return nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const req of term.matchFields ?? []) {
      if (req.key !== OBJECT_NAME_FIELD || req.operator !== "In") continue;
      const values = req.values ?? [];
      return values.length === 1 ? values[0] : undefined;
    }
  }
  return undefined;
}

/** IsPodUpdated: the pod carries the current hash, or the current (deprecated) template generation. */
export function isPodUpdated(pod: DaemonPod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[DaemonSetTemplateGenerationKey] === String(generation);
  const hashMatches = hash !== "" && labels[ControllerRevisionHashLabelKey] === hash;
  return hashMatches || templateMatches;
}
