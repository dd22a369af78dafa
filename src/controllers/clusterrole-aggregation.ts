// The ClusterRole aggregation controller (upstream pkg/controller/clusterroleaggregation): a
// ClusterRole with an aggregationRule gets as rules the union of the rules of every other
// ClusterRole its selectors match, in the order of those roles' names, without duplicates. Any
// ClusterRole change may change any aggregate, so each change queues every aggregated role; a
// role whose rules already are the union is not written.
import { StatusError } from "../api/errors.js";
import { selectorOf } from "../api/resources/label-selectors.js";
import type { KubeObject } from "../api/resource.js";
import { defineController, type Controller } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";

const CLUSTER_ROLES = { group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles" };

type ClusterRole = KubeObject & { rules?: unknown[]; aggregationRule?: { clusterRoleSelectors?: unknown[] } };

export const clusterRoleAggregationController: ControllerRegistration = {
  name: "clusterrole-aggregation",
  component: "clusterrole-aggregation-controller",
  create: createClusterRoleAggregationController,
};

function createClusterRoleAggregationController(ctx: ControllerContext): Controller {
  const roles = ctx.informers.informerFor(CLUSTER_ROLES);
  return defineController({
    name: "clusterrole-aggregation",
    workers: 1,
    clock: ctx.clock,
    logger: ctx.log,
    watches: [{ informer: roles, keys: () => aggregatedRoleNames(roles) }],
    reconcile: (name) => syncClusterRole(ctx, roles, name),
  });
}

function aggregatedRoleNames(roles: Informer): string[] {
  return (roles.list() as ClusterRole[]).filter((r) => r.aggregationRule).map((r) => r.metadata?.name ?? "");
}

async function syncClusterRole(ctx: ControllerContext, roles: Informer, name: string): Promise<void> {
  const role = roles.get(name) as ClusterRole | undefined;
  if (!role?.aggregationRule) return;
  const rules = aggregatedRules(role, roles.list() as ClusterRole[]);
  if (JSON.stringify(rules) === JSON.stringify(role.rules ?? [])) return;
  try {
    await ctx.client.update(CLUSTER_ROLES, undefined, { ...role, rules });
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return;
    throw err; // a conflict: the next sync reads the newer role
  }
}

/** The union of the matched roles' rules, roles in name order, each rule once. */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): unknown[] {
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) => selectorOf(s)).filter((s) => s !== undefined);
  const name = role.metadata?.name;
  const matched = all
    .filter((other) => other.metadata?.name !== name && selectors.some((s) => s.matches(other.metadata?.labels ?? {})))
    .sort((a, b) => byName(a.metadata?.name ?? "", b.metadata?.name ?? ""));
  const rules: unknown[] = [];
  const seen = new Set<string>();
  for (const other of matched) {
    for (const rule of other.rules ?? []) {
      const key = JSON.stringify(rule);
      if (seen.has(key)) continue;
      seen.add(key);
      rules.push(rule);
    }
  }
  return rules;
}

/** Byte order, as Go sorts names. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
