// The Roles and ClusterRoles bound to a user, for Kyverno's `roles` and `clusterRoles` filters
// (Kyverno's userinfo.GetRoleRef): RoleBindings of the request's namespace and all
// ClusterRoleBindings naming the user, one of its groups, or its service account. Roles are
// "namespace:name". Read from the watch cache only when a rule asks.
import type { UserInfo } from "../../../auth/authenticate.js";
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject } from "../../resource.js";

interface Binding {
  subjects?: { kind: string; name: string; namespace?: string }[];
  roleRef?: { kind: string; name: string };
}

export function boundRoles(api: ApiContext, user: UserInfo, namespace: string | undefined): { roles: string[]; clusterRoles: string[] } {
  const roles: string[] = [];
  const clusterRoles: string[] = [];
  const bindings = (plural: string, ns: string | undefined) => {
    const def = api.discovery.find("rbac.authorization.k8s.io", "v1", plural);
    if (!def) return [];
    return api.cache.get(api.registry.storageResource(def)).list(ns).map((c) => (c.object ?? JSON.parse(c.json)) as KubeObject & Binding);
  };
  if (namespace !== undefined) {
    for (const binding of bindings("rolebindings", namespace)) {
      if (!binding.roleRef || !bindsUser(binding, user)) continue;
      if (binding.roleRef.kind === "Role") roles.push(`${namespace}:${binding.roleRef.name}`);
      else clusterRoles.push(binding.roleRef.name);
    }
  }
  for (const binding of bindings("clusterrolebindings", undefined)) {
    if (binding.roleRef && bindsUser(binding, user)) clusterRoles.push(binding.roleRef.name);
  }
  return { roles, clusterRoles };
}

function bindsUser(binding: Binding, user: UserInfo): boolean {
  return (binding.subjects ?? []).some((s) => {
    if (s.kind === "User") return s.name === user.name;
    if (s.kind === "Group") return user.groups.includes(s.name);
    return s.kind === "ServiceAccount" && user.name === `system:serviceaccount:${s.namespace ?? ""}:${s.name}`;
  });
}
