// When a namespace's enforce level tightens, upstream dry-runs the new level against the pods
// already there and answers with warnings (the change itself is allowed): one warning per distinct
// set of violations, naming the lexically first pod and how many others share it. Bounded as
// upstream: at most 3,000 pods, at most one second, one pod per controller first.
import type { KubeObject } from "../../resource.js";
import type { PodMetadata, PodSpec } from "./check.js";
import { forbiddenReason, type PodSecurityEvaluator } from "./evaluator.js";
import { levelVersionString, type LevelVersion } from "./policy.js";

export const MAX_PODS_TO_CHECK = 3000;
export const POD_CHECK_TIMEOUT_MS = 1000;

export function existingPodWarnings(input: {
  namespace: string;
  enforce: LevelVersion;
  pods: readonly KubeObject[];
  evaluator: PodSecurityEvaluator;
  now: () => number;
}): string[] {
  const { namespace, enforce, evaluator } = input;
  const prioritized = prioritizePods(input.pods);
  const deadline = input.now() + POD_CHECK_TIMEOUT_MS;
  const toCheck = prioritized.slice(0, MAX_PODS_TO_CHECK);
  const byWarning = new Map<string, { podName: string; count: number }>();
  let checked = 0;
  for (const pod of toCheck) {
    checked++;
    const verdict = evaluator.evaluate(enforce, (pod.metadata ?? {}) as PodMetadata, (pod.spec ?? {}) as PodSpec);
    if (!verdict.allowed) {
      const warning = forbiddenReason(verdict);
      const name = pod.metadata?.name ?? "";
      const seen = byWarning.get(warning);
      if (!seen) byWarning.set(warning, { podName: name, count: 1 });
      else byWarning.set(warning, { podName: name < seen.podName ? name : seen.podName, count: seen.count + 1 });
    }
    if (input.now() > deadline) break;
  }
  const warnings: string[] = [];
  if (checked < prioritized.length) warnings.push(`new PodSecurity enforce level only checked against the first ${checked} of ${prioritized.length} existing pods`);
  if (byWarning.size > 0) warnings.push(`existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(levelVersionString(enforce))}`);
  const podWarnings = [...byWarning].map(([warning, { podName, count }]) => `${podName}${othersSuffix(count)}: ${warning}`).sort();
  return [...warnings, ...podWarnings];
}

function othersSuffix(count: number): string {
  if (count <= 1) return "";
  return count === 2 ? " (and 1 other pod)" : ` (and ${count - 1} other pods)`;
}

/** One pod per controller first (replicas share a template), then the other replicas. */
function prioritizePods(pods: readonly KubeObject[]): KubeObject[] {
  const first: KubeObject[] = [];
  const duplicates: KubeObject[] = [];
  const controllers = new Set<string>();
  for (const pod of pods) {
    const controller = pod.metadata?.ownerReferences?.find((ref) => ref.controller)?.uid;
    if (controller === undefined || !controllers.has(controller)) {
      if (controller !== undefined) controllers.add(controller);
      first.push(pod);
    } else {
      duplicates.push(pod);
    }
  }
  return [...first, ...duplicates];
}
