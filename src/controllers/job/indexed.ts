// Indexed completion mode (upstream indexed_job_utils.go): each pod carries a completion index in
// the batch.kubernetes.io/job-completion-index annotation and label, is named <job>-<index>-xxxxx
// with hostname <job>-<index>, and gets JOB_COMPLETION_INDEX from that label. Succeeded indexes are
// kept as ordered intervals and written as status.completedIndexes ("1,3-5,7"). The controller
// starts the lowest indexes neither succeeded nor running, and removes active pods whose index
// repeats or is out of range.
import type { PodTemplate } from "../pods.js";
import { JOB_COMPLETION_INDEX_ANNOTATION, UNKNOWN_COMPLETION_INDEX, getCompletionIndex, hasJobTrackingFinalizer, type Job, type Pod } from "./objects.js";
import { sortActivePods } from "./pod-order.js";

export const COMPLETION_INDEX_ENV_NAME = "JOB_COMPLETION_INDEX";
/** names.MaxGeneratedNameLength: 63 minus the 5 random characters. */
const MAX_GENERATED_NAME_LENGTH = 58;

export interface Interval {
  first: number;
  last: number;
}

/** orderedIntervals: sorted, disjoint, non-adjacent. */
export type OrderedIntervals = readonly Interval[];

/** withOrderedIndexes: the intervals plus the given indexes (in increasing order). */
export function withOrderedIndexes(intervals: OrderedIntervals, indexes: readonly number[]): OrderedIntervals {
  return mergeIntervals(intervals, indexes.map((i) => ({ first: i, last: i })));
}

export function mergeIntervals(a: OrderedIntervals, b: OrderedIntervals): OrderedIntervals {
  const all = [...a, ...b].sort((x, y) => x.first - y.first);
  const result: Interval[] = [];
  for (const interval of all) {
    const last = result[result.length - 1];
    if (!last || interval.first > last.last + 1) result.push({ ...interval });
    else if (last.last < interval.last) last.last = interval.last;
  }
  return result;
}

export function totalIndexes(intervals: OrderedIntervals): number {
  return intervals.reduce((sum, iv) => sum + iv.last - iv.first + 1, 0);
}

export function hasIndex(intervals: OrderedIntervals, index: number): boolean {
  return intervals.some((iv) => iv.first <= index && index <= iv.last);
}

/** orderedIntervals.String: "1,3-5" with two-element intervals written "1,2". */
export function formatIntervals(intervals: OrderedIntervals): string {
  return intervals
    .map((iv) => (iv.last === iv.first ? `${iv.first}` : iv.last === iv.first + 1 ? `${iv.first},${iv.last}` : `${iv.first}-${iv.last}`))
    .join(",");
}

/** parseIndexesFromString: corrupted parts are skipped, indexes at or past completions dropped. */
export function parseIndexesFromString(text: string | undefined, completions: number): OrderedIntervals {
  if (!text) return [];
  const result: Interval[] = [];
  for (const part of text.split(",")) {
    const [firstText, lastText] = part.split("-");
    const first = parseIndex(firstText);
    if (first === undefined) continue;
    if (first >= completions) break;
    let last = first;
    if (lastText !== undefined) {
      const parsed = parseIndex(lastText);
      if (parsed === undefined) continue;
      last = Math.min(parsed, completions - 1);
    }
    const previous = result[result.length - 1];
    if (previous && previous.last === first - 1) previous.last = last;
    else result.push({ first, last });
  }
  return result;
}

function parseIndex(text: string | undefined): number | undefined {
  return text !== undefined && /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

/** calculateSucceededIndexes: [completedIndexes as written, plus the newly succeeded indexes]. */
export function calculateSucceededIndexes(job: Job, pods: readonly Pod[]): [OrderedIntervals, OrderedIntervals] {
  const completions = job.spec.completions ?? 0;
  const previous = parseIndexesFromString(job.status?.completedIndexes, completions);
  const fresh = new Set<number>();
  for (const pod of pods) {
    const ix = getCompletionIndex(pod);
    if (pod.status?.phase === "Succeeded" && ix !== UNKNOWN_COMPLETION_INDEX && ix < completions && hasJobTrackingFinalizer(pod)) fresh.add(ix);
  }
  return [previous, withOrderedIndexes(previous, [...fresh].sort((a, b) => a - b))];
}

/** firstPendingIndexes: the `count` lowest indexes below completions not succeeded and not running. */
export function firstPendingIndexes(succeeded: OrderedIntervals, nonPendingPods: readonly Pod[], count: number, completions: number): number[] {
  if (count === 0) return [];
  const taken = withOrderedIndexes(succeeded, indexesOf(nonPendingPods));
  const result: number[] = [];
  let candidate = 0;
  // Bounded by the intervals and count, not by completions.
  for (const interval of taken) {
    for (; candidate < completions && result.length < count && candidate < interval.first; candidate++) result.push(candidate);
    candidate = Math.max(candidate, interval.last + 1);
  }
  for (; candidate < completions && result.length < count; candidate++) result.push(candidate);
  return result;
}

function indexesOf(pods: readonly Pod[]): number[] {
  const set = new Set(pods.map(getCompletionIndex).filter((ix) => ix !== UNKNOWN_COMPLETION_INDEX));
  return [...set].sort((a, b) => a - b);
}

/**
 * appendDuplicatedIndexPodsForRemoval: of the active pods, those without an index or with one
 * at or past completions, and all but one per repeated index, are for removal; the rest are left.
 */
export function splitDuplicatedIndexPods(pods: readonly Pod[], completions: number): { rm: Pod[]; left: Pod[] } {
  const rm: Pod[] = [];
  const left: Pod[] = [];
  const byIndex = new Map<number, Pod[]>();
  for (const pod of pods) {
    const ix = getCompletionIndex(pod);
    if (ix === UNKNOWN_COMPLETION_INDEX || ix >= completions) rm.push(pod);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), pod]);
  }
  for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
    const same = sortActivePods(byIndex.get(ix) ?? []);
    rm.push(...same.slice(0, -1));
    left.push(...same.slice(-1));
  }
  return { rm, left };
}

/** podGenerateNameWithIndex: "<job>-<index>-", the job name cut so that it fits. */
export function podGenerateNameWithIndex(jobName: string, index: number): string {
  const append = `-${index}-`;
  const prefix = `${jobName}${append}`;
  return prefix.length > MAX_GENERATED_NAME_LENGTH ? `${jobName.slice(0, MAX_GENERATED_NAME_LENGTH - append.length)}${append}` : prefix;
}

interface Container {
  name?: string;
  env?: { name: string; valueFrom?: unknown; value?: string }[];
}

/** addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the index label, in every container. */
export function addCompletionIndexEnvVariables(template: PodTemplate): void {
  const spec = template.spec ?? {};
  for (const field of ["initContainers", "containers"]) {
    const containers = spec[field];
    if (!Array.isArray(containers)) continue;
    for (const container of containers as Container[]) {
      const env = (container.env ??= []);
      if (env.some((v) => v.name === COMPLETION_INDEX_ENV_NAME)) continue;
      env.push({ name: COMPLETION_INDEX_ENV_NAME, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX_ANNOTATION}']` } } });
    }
  }
}

/** The template of the pod for one index: annotation, label and hostname <job>-<index>. */
export function templateForIndex(template: PodTemplate, jobName: string, index: number): PodTemplate {
  const copy = structuredClone(template);
  const metadata = (copy.metadata ??= {});
  metadata.annotations = { ...metadata.annotations, [JOB_COMPLETION_INDEX_ANNOTATION]: `${index}` };
  metadata.labels = { ...metadata.labels, [JOB_COMPLETION_INDEX_ANNOTATION]: `${index}` };
  copy.spec = { ...copy.spec, hostname: `${jobName}-${index}` };
  return copy;
}
