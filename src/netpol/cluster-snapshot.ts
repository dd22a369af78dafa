// A PolicyCluster over plain lists of API objects (namespaces, pods, NetworkPolicies), grouped by
// namespace once. The enforcer builds one from its informers' caches for each compile; `kubelite
// why` from what it listed. Parsed views are kept per object in a WeakMap: informer objects are
// shared and immutable, so an unchanged pod or policy is never parsed twice.
import type { Labels } from "../api/label-selector.js";
import type { KubeObject } from "../api/resource.js";
import { podView, policyView, type PodView, type PolicyCluster, type PolicyView } from "./policy-view.js";

export interface ClusterObjects {
  namespaces: readonly KubeObject[];
  pods: readonly KubeObject[];
  policies: readonly KubeObject[];
}

/** Parsed views by object; share one between snapshots to parse each object version once. */
export class ViewCache {
  private readonly pods = new WeakMap<KubeObject, PodView>();
  private readonly policies = new WeakMap<KubeObject, PolicyView>();

  pod(obj: KubeObject): PodView {
    let view = this.pods.get(obj);
    if (!view) this.pods.set(obj, (view = podView(obj)));
    return view;
  }

  policy(obj: KubeObject): PolicyView {
    let view = this.policies.get(obj);
    if (!view) this.policies.set(obj, (view = policyView(obj)));
    return view;
  }
}

export class ClusterSnapshot implements PolicyCluster {
  private readonly labels = new Map<string, Labels>();
  private readonly podsByNamespace = new Map<string, PodView[]>();
  private readonly policiesByNamespace = new Map<string, PolicyView[]>();

  constructor(objects: ClusterObjects, views: ViewCache = new ViewCache()) {
    for (const ns of objects.namespaces) this.labels.set(ns.metadata?.name ?? "", ns.metadata?.labels ?? {});
    for (const obj of objects.pods) push(this.podsByNamespace, views.pod(obj));
    for (const obj of objects.policies) push(this.policiesByNamespace, views.policy(obj));
  }

  namespaceLabels(name: string): Labels | undefined {
    return this.labels.get(name);
  }

  namespaces(): string[] {
    return [...new Set([...this.labels.keys(), ...this.podsByNamespace.keys()])];
  }

  policiesIn(namespace: string): PolicyView[] {
    return this.policiesByNamespace.get(namespace) ?? [];
  }

  podsIn(namespace: string): PodView[] {
    return this.podsByNamespace.get(namespace) ?? [];
  }

  /** Every pod, in namespace order. */
  allPods(): PodView[] {
    return [...this.podsByNamespace.values()].flat();
  }
}

function push<T extends { namespace: string }>(map: Map<string, T[]>, item: T): void {
  const list = map.get(item.namespace);
  if (list) list.push(item);
  else map.set(item.namespace, [item]);
}
