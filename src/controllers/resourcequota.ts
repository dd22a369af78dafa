// The resource quota controller (upstream pkg/controller/resourcequota): keeps each ResourceQuota's
// status.hard equal to spec.hard and status.used equal to what the namespace's objects consume,
// counted from the informers' caches with the same evaluators quota admission charges with. Keys
// are namespaces. A quota is recounted when it is new or its spec changed, when an object that
// held quota goes away (deleted, or a pod finishing), and every five minutes; creates are not a
// trigger, as upstream's replenishment: admission already charged them, and recounting from a
// cache that has not yet seen an admitted object would hand its quota out twice.
import { resourceList, toJson, add, mask } from "../api/admission/resource-list.js";
import { isTerminalPod, matchingResources, objectUsage, scopesMatch, type GroupResource } from "../api/admission/resource-quota/usage.js";
import type { KubeObject } from "../api/resource.js";
import { jsonEqual, recordAt } from "../api/resources/object-fields.js";
import { CORE_V1, type ResourceRef } from "../client/client.js";
import { defineController } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";

const QUOTAS = CORE_V1("resourcequotas");
/** upstream --resource-quota-sync-period. */
const FULL_RESYNC_MS = 5 * 60_000;

/** The kinds whose usage the controller counts (quotas on other kinds' counts stay unknown). */
const COUNTED: ResourceRef[] = [
  CORE_V1("pods"), CORE_V1("services"), CORE_V1("configmaps"), CORE_V1("secrets"), CORE_V1("persistentvolumeclaims"), QUOTAS,
  { group: "apps", version: "v1", resource: "deployments" }, { group: "apps", version: "v1", resource: "replicasets" },
  { group: "apps", version: "v1", resource: "statefulsets" }, { group: "apps", version: "v1", resource: "daemonsets" },
  { group: "batch", version: "v1", resource: "jobs" }, { group: "batch", version: "v1", resource: "cronjobs" },
];

export const resourceQuotaController: ControllerRegistration = {
  name: "resourcequota",
  component: "resourcequota-controller",
  create: (ctx) => {
    const quotas = ctx.informers.informerFor(QUOTAS);
    const counted = COUNTED.map((ref) => ({ gr: { group: ref.group, resource: ref.resource }, informer: ctx.informers.informerFor(ref) }));
    const controller = defineController({
      name: "resourcequota",
      reconcile: async (namespace) => {
        await syncNamespace(ctx, namespace, quotas.list(namespace), counted);
        return quotas.list(namespace).length > 0 ? { requeueAfterMs: FULL_RESYNC_MS } : undefined;
      },
      watches: [{ informer: quotas, keys: (quota) => (needsSync(quota) && quota.metadata?.namespace ? [quota.metadata.namespace] : []) }],
      reads: counted.map((c) => c.informer),
      clock: ctx.clock,
      logger: ctx.log,
    });
    for (const { informer, gr } of counted) {
      const replenish = (obj: KubeObject) => {
        const namespace = obj.metadata?.namespace;
        if (namespace && quotas.list(namespace).length > 0) controller.enqueue(namespace);
      };
      informer.addEventHandler({
        onDelete: replenish,
        onUpdate: (oldObj, newObj) => {
          if (gr.resource === "pods" && gr.group === "" && !isTerminalPod(oldObj) && isTerminalPod(newObj)) replenish(newObj);
        },
      });
    }
    return controller;
  },
};

/** A quota whose status does not yet reflect its spec (new, or its hard limits changed). */
function needsSync(quota: KubeObject): boolean {
  return !jsonEqual(recordAt(quota, "spec", "hard") ?? {}, recordAt(quota, "status", "hard") ?? {});
}

interface Counted {
  gr: GroupResource;
  informer: Informer;
}

async function syncNamespace(ctx: ControllerContext, namespace: string, quotas: KubeObject[], counted: Counted[]): Promise<void> {
  for (const quota of quotas) {
    const hard = resourceList(recordAt(quota, "spec", "hard"));
    const used = calculateUsage(namespace, quota, [...hard.keys()], counted);
    const status = { hard: toJson(hard), used: toJson(used) };
    if (jsonEqual(status, { hard: recordAt(quota, "status", "hard") ?? {}, used: recordAt(quota, "status", "used") ?? {} })) continue;
    await ctx.client.update(QUOTAS, namespace, { ...quota, status }, { subresource: "status" });
  }
}

/** The namespace's usage of the quota's hard resources; every tracked resource gets a value, zero included. */
function calculateUsage(namespace: string, quota: KubeObject, hardNames: string[], counted: Counted[]): ReturnType<typeof resourceList> {
  let used = resourceList(Object.fromEntries(hardNames.map((name) => [name, "0"])));
  const tracked = new Set<string>();
  for (const { gr, informer } of counted) {
    const names = matchingResources(gr, hardNames);
    if (names.length === 0) continue;
    names.forEach((n) => tracked.add(n));
    for (const obj of informer.list(namespace)) {
      if (scopesMatch(quota, gr, obj)) used = add(used, mask(objectUsage(gr, obj), names));
    }
  }
  return mask(used, tracked);
}
