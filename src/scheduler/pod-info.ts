// PodInfo: a pod with everything the scheduler derives from it computed once (upstream
// framework.PodInfo): its key, effective resource request, host ports, parsed affinity terms and
// priority. Cached pods are shared and never mutated; assuming a pod onto a node makes a new PodInfo
// around a shallow copy whose spec.nodeName is set.
import { LabelSelector, type Labels } from "../api/label-selector.js";
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "./api-types.js";
import { hostPortOf, type HostPort } from "./host-ports.js";
import { computePodResource, type PodResource } from "./resources.js";

/** upstream framework.AffinityTerm: a PodAffinityTerm with its selectors compiled. */
export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  readonly selector: LabelSelector;
  readonly topologyKey: string;
  readonly namespaceSelector: LabelSelector;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

/** The cache key of a pod: its uid, or namespace/name for objects without one. */
export function podKey(pod: Pod): string {
  const meta = pod.metadata ?? {};
  return meta.uid || `${meta.namespace ?? ""}/${meta.name ?? ""}`;
}

/** upstream AffinityTerm.Matches: the pod is in one of the term's namespaces and matches its selector. */
export function termMatches(term: AffinityTerm, pod: PodInfo, namespaceLabels: Labels | undefined): boolean {
  if (term.namespaces.has(pod.namespace) || term.namespaceSelector.matches(namespaceLabels)) return term.selector.matches(pod.labels);
  return false;
}

interface AffinityTerms {
  requiredAffinityTerms: readonly AffinityTerm[];
  requiredAntiAffinityTerms: readonly AffinityTerm[];
  preferredAffinityTerms: readonly WeightedAffinityTerm[];
  preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  parseError: string | undefined;
}

export class PodInfo {
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly nodeName: string;
  readonly priority: number;
  /** The pod has a deletionTimestamp. */
  readonly terminating: boolean;

  private constructor(
    readonly pod: Pod,
    readonly resource: PodResource,
    readonly hostPorts: readonly HostPort[],
    private readonly terms: AffinityTerms,
  ) {
    const meta = pod.metadata ?? {};
    this.name = meta.name ?? "";
    this.namespace = meta.namespace ?? "";
    this.key = podKey(pod);
    this.labels = meta.labels ?? {};
    this.nodeName = pod.spec?.nodeName ?? "";
    this.priority = pod.spec?.priority ?? 0;
    this.terminating = meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null;
  }

  static of(pod: Pod): PodInfo {
    return new PodInfo(pod, computePodResource(pod.spec), hostPorts(pod), affinityTerms(pod));
  }

  /** The same pod assumed onto nodeName (upstream assume: a copy with spec.nodeName set). */
  withNodeName(nodeName: string): PodInfo {
    const pod: Pod = { ...this.pod, spec: { ...this.pod.spec, nodeName } };
    return new PodInfo(pod, this.resource, this.hostPorts, this.terms);
  }

  get requiredAffinityTerms(): readonly AffinityTerm[] { return this.terms.requiredAffinityTerms; }
  get requiredAntiAffinityTerms(): readonly AffinityTerm[] { return this.terms.requiredAntiAffinityTerms; }
  get preferredAffinityTerms(): readonly WeightedAffinityTerm[] { return this.terms.preferredAffinityTerms; }
  get preferredAntiAffinityTerms(): readonly WeightedAffinityTerm[] { return this.terms.preferredAntiAffinityTerms; }
  /** Why an affinity term could not be parsed (upstream NewPodInfo's error), if one could not. */
  get parseError(): string | undefined { return this.terms.parseError; }

  /** Terms that make this pod count in other pods' InterPodAffinity scores. */
  hasScoringAffinity(): boolean {
    const t = this.terms;
    return t.requiredAffinityTerms.length > 0 || t.preferredAffinityTerms.length > 0 || t.preferredAntiAffinityTerms.length > 0;
  }

  nominatedNodeName(): string {
    return this.pod.status?.nominatedNodeName ?? "";
  }
}

/** upstream schedutil.GetHostPorts: ports of containers and of sidecar init containers. */
function hostPorts(pod: Pod): HostPort[] {
  const result: HostPort[] = [];
  const spec = pod.spec;
  const containers = [...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always"), ...(spec?.containers ?? [])];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      const hp = hostPortOf(p);
      if (hp) result.push(hp);
    }
  }
  return result;
}

function affinityTerms(pod: Pod): AffinityTerms {
  const affinity = pod.spec?.affinity;
  const namespace = pod.metadata?.namespace ?? "";
  const errors: string[] = [];
  const parse = <T>(fn: () => T[]): T[] => {
    try {
      return fn();
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
      return [];
    }
  };
  const required = (terms: readonly PodAffinityTerm[] | null | undefined): AffinityTerm[] => parse(() => (terms ?? []).map((t) => newAffinityTerm(namespace, t)));
  const preferred = (terms: readonly WeightedPodAffinityTerm[] | null | undefined): WeightedAffinityTerm[] =>
    parse(() => (terms ?? []).map((t) => ({ ...newAffinityTerm(namespace, t.podAffinityTerm), weight: t.weight })));
  return {
    requiredAffinityTerms: required(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinityTerms: required(affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinityTerms: preferred(affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: preferred(affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    parseError: errors.length ? errors.join(", ") : undefined,
  };
}

/** upstream newAffinityTerm: no namespaces and no namespaceSelector means the pod's own namespace. */
function newAffinityTerm(podNamespace: string, term: PodAffinityTerm): AffinityTerm {
  const listed = term.namespaces ?? [];
  const namespaces = new Set(listed.length === 0 && !term.namespaceSelector ? [podNamespace] : listed);
  return {
    namespaces,
    selector: LabelSelector.fromObject(term.labelSelector),
    topologyKey: term.topologyKey,
    namespaceSelector: LabelSelector.fromObject(term.namespaceSelector),
  };
}
