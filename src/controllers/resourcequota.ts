// The resource quota controller (upstream pkg/controller/resourcequota): keeps each ResourceQuota's
// status.hard equal to spec.hard and status.used equal to what the namespace's objects consume,
// counted from the informers' caches (or listed, for kinds no informer follows) with the same
// evaluators quota admission charges with. Keys are namespaces. A quota is recounted when it is
// new or its spec changed, when an object that held quota goes away (deleted, or a pod
// finishing), and every five minutes; creates are not a trigger, as upstream's replenishment:
// admission already charged them, and recounting from a cache that has not yet seen an admitted
// object would hand its quota out twice.
import { add, mask, resourceList, toJson, type ResourceList } from "../api/admission/resource-list.js";
import { isTerminalPod, matchingResources, objectUsage, scopesMatch, type GroupResource } from "../api/admission/resource-quota/usage.js";
import type { KubeObject } from "../api/resource.js";
import { builtinResources } from "../api/resources/index.js";
import { jsonEqual, recordAt } from "../api/resources/object-fields.js";
import { CORE_V1, type ResourceRef } from "../client/client.js";
import { defineController } from "../client/controller.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";

const QUOTAS = CORE_V1("resourcequotas");
/** upstream --resource-quota-sync-period. */
const FULL_RESYNC_MS = 5 * 60_000;

/** The kinds whose usage the controller follows with informers; other `count/...` kinds are listed when a quota names them. */
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
    const informers = COUNTED.map((ref) => ({ gr: { group: ref.group, resource: ref.resource }, informer: ctx.informers.informerFor(ref) }));
    const counting: Counting = { followed: informers.map(({ gr, informer }) => ({ gr, list: (namespace) => informer.list(namespace) })), versions: servedVersions() };
    const controller = defineController({
      name: "resourcequota",
      reconcile: async (namespace) => {
        await syncNamespace(ctx, namespace, quotas.list(namespace), counting);
        return quotas.list(namespace).length > 0 ? { requeueAfterMs: FULL_RESYNC_MS } : undefined;
      },
      watches: [{ informer: quotas, keys: (quota) => (needsSync(quota) && quota.metadata?.namespace ? [quota.metadata.namespace] : []) }],
      reads: informers.map((c) => c.informer),
      clock: ctx.clock,
      logger: ctx.log,
    });
    for (const { informer, gr } of informers) {
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

/**
 * The kinds a quota counts as `count/<resource>.<group>` that no informer follows: listed from the
 * API at each sync (rare: new quotas, changed limits, released usage, the periodic resync).
 */
function listedKinds(ctx: ControllerContext, versions: Map<string, string>, hardNames: Iterable<string>, followed: Counted[]): Counted[] {
  const out: Counted[] = [];
  for (const name of hardNames) {
    if (!name.startsWith("count/")) continue;
    const [resource = "", ...groupParts] = name.slice("count/".length).split(".");
    const group = groupParts.join(".");
    if (followed.some((c) => c.gr.group === group && c.gr.resource === resource)) continue;
    const version = versions.get(`${group}/${resource}`);
    if (!version) continue;
    const ref = { group, version, resource };
    out.push({ gr: { group, resource }, list: async (namespace) => (await ctx.client.list(ref, { namespace })).items });
  }
  return out;
}

/** group/resource → the version kubelite serves it in (the storage version's, for kinds served twice). */
function servedVersions(): Map<string, string> {
  return new Map(builtinResources().filter((d) => !d.conversion).map((d) => [`${d.group}/${d.plural}`, d.version]));
}

/** A quota whose status does not yet reflect its spec (new, or its hard limits changed). */
function needsSync(quota: KubeObject): boolean {
  return !jsonEqual(recordAt(quota, "spec", "hard") ?? {}, recordAt(quota, "status", "hard") ?? {});
}

interface Counted {
  gr: GroupResource;
  /** The namespace's objects of this kind. */
  list(namespace: string): KubeObject[] | Promise<KubeObject[]>;
}

interface Counting {
  followed: Counted[];
  versions: Map<string, string>;
}

async function syncNamespace(ctx: ControllerContext, namespace: string, quotas: KubeObject[], counting: Counting): Promise<void> {
  for (const quota of quotas) {
    const hard = resourceList(recordAt(quota, "spec", "hard"));
    const used = await calculateUsage(namespace, quota, [...hard.keys()], [...counting.followed, ...listedKinds(ctx, counting.versions, hard.keys(), counting.followed)]);
    const status = { hard: toJson(hard), used: toJson(used) };
    if (jsonEqual(status, { hard: recordAt(quota, "status", "hard") ?? {}, used: recordAt(quota, "status", "used") ?? {} })) continue;
    await ctx.client.update(QUOTAS, namespace, { ...quota, status }, { subresource: "status" });
  }
}

/** The namespace's usage of the quota's hard resources; every tracked resource gets a value, zero included. */
async function calculateUsage(namespace: string, quota: KubeObject, hardNames: string[], counted: Counted[]): Promise<ResourceList> {
  let used = resourceList(Object.fromEntries(hardNames.map((name) => [name, "0"])));
  const tracked = new Set<string>();
  for (const kind of counted) {
    const { gr } = kind;
    const names = matchingResources(gr, hardNames);
    if (names.length === 0) continue;
    names.forEach((n) => tracked.add(n));
    for (const obj of await kind.list(namespace)) {
      if (scopesMatch(quota, gr, obj)) used = add(used, mask(objectUsage(gr, obj), names));
    }
  }
  return mask(used, tracked);
}
