// Where a pod's metadata and spec sit in the kinds PodSecurity looks at: the pod itself, or the pod
// template of the built-in controllers (upstream's DefaultPodSpecExtractor).
import type { KubeObject, ResourceDef } from "../../resource.js";
import type { PodMetadata, PodSpec } from "./check.js";

export interface PodParts {
  metadata: PodMetadata;
  spec: PodSpec;
}

/** group/kind → where the pod template is. */
const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  "/ReplicationController": ["spec", "template"],
  "/PodTemplate": ["template"],
  "apps/ReplicaSet": ["spec", "template"],
  "apps/Deployment": ["spec", "template"],
  "apps/StatefulSet": ["spec", "template"],
  "apps/DaemonSet": ["spec", "template"],
  "batch/Job": ["spec", "template"],
  "batch/CronJob": ["spec", "jobTemplate", "spec", "template"],
};

export const isPod = (def: ResourceDef) => def.group === "" && def.kind === "Pod";

export function isPodController(def: ResourceDef): boolean {
  return `${def.group}/${def.kind}` in TEMPLATE_PATHS;
}

/** The pod (or template) inside `obj`, undefined when a controller has no template. */
export function podParts(def: ResourceDef, obj: KubeObject): PodParts | undefined {
  if (isPod(def)) return { metadata: obj.metadata ?? {}, spec: (obj.spec ?? {}) as PodSpec };
  let node: unknown = obj;
  for (const key of TEMPLATE_PATHS[`${def.group}/${def.kind}`] ?? []) node = (node as Record<string, unknown> | undefined)?.[key];
  const template = node as { metadata?: PodMetadata; spec?: PodSpec } | undefined;
  if (!template || (template.metadata === undefined && template.spec === undefined)) return undefined;
  return { metadata: template.metadata ?? {}, spec: template.spec ?? {} };
}
