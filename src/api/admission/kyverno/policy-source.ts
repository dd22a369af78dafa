// The Kyverno policies in force, read from the watch cache: the cluster's ClusterPolicies and the
// Policies of the request's namespace. Each policy is compiled (its auto-generated rules added)
// once per resourceVersion and reused until it changes, so a write costs a cache lookup per policy.
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject, ResourceDef } from "../../resource.js";
import type { CachedObject } from "../../watch-cache.js";
import { autogenRules } from "./autogen.js";
import type { CompiledPolicy } from "./engine.js";
import type { PolicySpec } from "./policy.js";

export class PolicySource {
  private readonly compiled = new Map<string, { revision: number; policy: CompiledPolicy }>();

  constructor(private readonly api: ApiContext, private readonly clusterPolicies: ResourceDef, private readonly policies: ResourceDef) {}

  /** ClusterPolicies first, then the namespace's Policies, each group by name. */
  policiesFor(namespace: string | undefined): CompiledPolicy[] {
    const cluster = this.api.cache.get(this.api.registry.storageResource(this.clusterPolicies)).list(undefined);
    const namespaced = namespace === undefined ? [] : this.api.cache.get(this.api.registry.storageResource(this.policies)).list(namespace);
    return [...cluster, ...namespaced].map((cached) => this.compile(cached));
  }

  private compile(cached: CachedObject): CompiledPolicy {
    const hit = this.compiled.get(cached.key);
    if (hit && hit.revision === cached.revision) return hit.policy;
    const obj = (cached.object ?? JSON.parse(cached.json)) as KubeObject;
    const spec = (obj.spec ?? {}) as PolicySpec;
    const rules = spec.rules ?? [];
    const policy: CompiledPolicy = { name: obj.metadata?.name ?? "", namespace: obj.metadata?.namespace, spec, rules: [...rules, ...autogenRules(rules, obj.metadata?.annotations)] };
    if (this.compiled.size > 10_000) this.compiled.clear();
    this.compiled.set(cached.key, { revision: cached.revision, policy });
    return policy;
  }
}
