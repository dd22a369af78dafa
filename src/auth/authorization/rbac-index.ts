// The RBAC objects the authorizer reads, indexed for the questions it asks on every request:
// the bindings that name a subject (a user, one of its groups, its service account) and the rules
// of a role by name. Fed by the API server's watch caches of the four RBAC kinds, so it is
// current as soon as the cache applied a write; `generation` changes with every change, for
// decision caches to drop what they remember.
import type { KubeObject } from "../../api/resource.js";
import type { ClusterCache } from "../../api/cluster-cache.js";
import type { CachedObject, CacheEvent } from "../../api/watch-cache.js";
import type { UserInfo } from "../authenticate.js";
import { rulesOf, type PolicyRule } from "./policy-rule.js";
import { serviceAccountOf } from "./service-account-user.js";

export interface RoleRef {
  kind: string;
  name: string;
}

export interface IndexedBinding {
  /** The binding's namespace; "" for ClusterRoleBindings. */
  namespace: string;
  name: string;
  roleRef: RoleRef;
}

/** The subject keys a user matches: its name, each group, and its service account if it is one. */
export function subjectKeys(user: UserInfo): string[] {
  const keys = [`User:${user.name}`, ...user.groups.map((g) => `Group:${g}`)];
  const account = serviceAccountOf(user.name);
  if (account) keys.push(`ServiceAccount:${account.namespace}/${account.name}`);
  return keys;
}

function bindingSubjectKeys(obj: KubeObject, namespace: string): string[] {
  const subjects = (obj as { subjects?: unknown }).subjects;
  if (!Array.isArray(subjects)) return [];
  const keys: string[] = [];
  for (const s of subjects as Record<string, unknown>[]) {
    const name = typeof s.name === "string" ? s.name : "";
    if (s.kind === "ServiceAccount") keys.push(`ServiceAccount:${typeof s.namespace === "string" && s.namespace ? s.namespace : namespace}/${name}`);
    else if (s.kind === "User" || s.kind === "Group") keys.push(`${s.kind}:${name}`);
  }
  return keys;
}

function roleRefOf(obj: KubeObject): RoleRef {
  const ref = (obj as { roleRef?: { kind?: unknown; name?: unknown } }).roleRef ?? {};
  return { kind: typeof ref.kind === "string" ? ref.kind : "", name: typeof ref.name === "string" ? ref.name : "" };
}

/** Bindings by subject key, with what each binding was indexed under (for removal). */
class BindingIndex {
  private readonly bySubject = new Map<string, Set<IndexedBinding>>();
  private readonly byKey = new Map<string, { binding: IndexedBinding; subjects: string[] }>();

  /** RoleBindings are indexed under "<namespace> <subject>": a request only ever asks about one namespace. */
  put(key: string, obj: KubeObject, namespace: string): void {
    this.remove(key);
    const binding: IndexedBinding = { namespace, name: obj.metadata?.name ?? "", roleRef: roleRefOf(obj) };
    const subjects = [...new Set(bindingSubjectKeys(obj, namespace))].map((subject) => (namespace ? `${namespace} ${subject}` : subject));
    for (const subject of subjects) {
      let set = this.bySubject.get(subject);
      if (!set) this.bySubject.set(subject, (set = new Set()));
      set.add(binding);
    }
    this.byKey.set(key, { binding, subjects });
  }

  remove(key: string): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    this.byKey.delete(key);
    for (const subject of entry.subjects) {
      const set = this.bySubject.get(subject);
      set?.delete(entry.binding);
      if (set?.size === 0) this.bySubject.delete(subject);
    }
  }

  forSubject(key: string): ReadonlySet<IndexedBinding> | undefined {
    return this.bySubject.get(key);
  }
}

export class RbacIndex {
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  /** "namespace/name" → rules */
  private readonly roles = new Map<string, PolicyRule[]>();
  private readonly clusterBindings = new BindingIndex();
  private readonly roleBindings = new BindingIndex();
  private readonly listeners = new Set<() => void>();
  private stops: (() => void)[] = [];
  generation = 0;

  /** Loads the cached RBAC objects and follows the caches from their current revision. */
  attach(cache: ClusterCache): void {
    const revision = cache.revision;
    const follow = (resource: string, apply: (object: CachedObject, obj: KubeObject | undefined) => void) => {
      const resourceCache = cache.get(resource);
      for (const object of resourceCache.list(undefined)) apply(object, decode(object));
      this.stops.push(
        resourceCache.watch(revision, {
          decoded: true,
          onEvent: (event: CacheEvent) => {
            apply(event.object, event.type === "DELETED" ? undefined : decode(event.object));
            this.changed();
          },
        }),
      );
    };
    follow("clusterroles", (o, obj) => (obj ? this.clusterRoles.set(o.name, rulesOf(obj as { rules?: unknown })) : this.clusterRoles.delete(o.name)));
    follow("roles", (o, obj) => (obj ? this.roles.set(`${o.namespace}/${o.name}`, rulesOf(obj as { rules?: unknown })) : this.roles.delete(`${o.namespace}/${o.name}`)));
    follow("clusterrolebindings", (o, obj) => (obj ? this.clusterBindings.put(o.key, obj, "") : this.clusterBindings.remove(o.key)));
    follow("rolebindings", (o, obj) => (obj ? this.roleBindings.put(o.key, obj, o.namespace) : this.roleBindings.remove(o.key)));
    this.changed();
  }

  detach(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  /** Called after every change (decision caches, aggregation). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clusterBindingsFor(subjectKey: string): ReadonlySet<IndexedBinding> | undefined {
    return this.clusterBindings.forSubject(subjectKey);
  }

  /** RoleBindings of the namespace naming the subject. */
  roleBindingsFor(namespace: string, subjectKey: string): ReadonlySet<IndexedBinding> | undefined {
    return this.roleBindings.forSubject(`${namespace} ${subjectKey}`);
  }

  /** The rules a binding grants; undefined when its role does not exist. */
  rulesOf(binding: IndexedBinding): readonly PolicyRule[] | undefined {
    if (binding.roleRef.kind === "ClusterRole") return this.clusterRoles.get(binding.roleRef.name);
    if (binding.roleRef.kind === "Role") return this.roles.get(`${binding.namespace}/${binding.roleRef.name}`);
    return undefined;
  }

  clusterRoleRules(name: string): readonly PolicyRule[] | undefined {
    return this.clusterRoles.get(name);
  }

  roleRules(namespace: string, name: string): readonly PolicyRule[] | undefined {
    return this.roles.get(`${namespace}/${name}`);
  }

  private changed(): void {
    this.generation++;
    for (const listener of this.listeners) listener();
  }
}

function decode(object: CachedObject): KubeObject {
  return object.object ?? (JSON.parse(object.json) as KubeObject);
}
