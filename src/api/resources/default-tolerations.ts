// DefaultTolerationSeconds, as upstream's admission plugin (plugin/pkg/admission/
// defaulttolerationseconds): a new Pod that does not tolerate node.kubernetes.io/not-ready:NoExecute
// or node.kubernetes.io/unreachable:NoExecute gets a toleration for each it lacks, with
// tolerationSeconds 300, so its pods ride out a short node outage and the taint eviction
// controller deletes them after five minutes. Tolerations already there are never changed.
import { ensureRecord, stringAt, type JsonRecord } from "./object-fields.js";

export const TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";
/** upstream --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

/** Appends the missing not-ready and unreachable NoExecute tolerations to pod.spec.tolerations. */
export function addDefaultTolerations(pod: JsonRecord, tolerationSeconds = DEFAULT_TOLERATION_SECONDS): void {
  const spec = ensureRecord(pod, "spec");
  const tolerations: unknown[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const missing = [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE].filter((key) => !tolerations.some((t) => coversNoExecute(t, key)));
  if (missing.length === 0) return;
  spec.tolerations = [...tolerations, ...missing.map((key) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds }))];
}

/**
 * upstream's test, which looks only at key and effect: an empty key or an empty effect counts as
 * matching, whatever the operator and value.
 */
function coversNoExecute(toleration: unknown, taintKey: string): boolean {
  const key = stringAt(toleration, "key") ?? "";
  const effect = stringAt(toleration, "effect") ?? "";
  return (key === taintKey || key === "") && (effect === "NoExecute" || effect === "");
}
