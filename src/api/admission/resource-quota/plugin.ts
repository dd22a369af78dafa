// The ResourceQuota admission plugin (upstream's admission/plugin/resourcequota): a create (or an
// update that changes usage) is charged to every quota of its namespace that covers it. Requests
// of one namespace are checked one at a time, against status.used as the cache holds it after every
// acknowledged write, and the new usage is written to the quota's status before the object is
// stored, so concurrent creates cannot overshoot. The quota controller later recounts from the
// objects themselves. Refusals carry upstream's messages ("exceeded quota: ...").
import { StatusError } from "../../errors.js";
import type { ApiContext } from "../../handlers/api-context.js";
import type { KubeObject, ResourceDef } from "../../resource.js";
import { recordAt } from "../../resources/object-fields.js";
import { systemContext } from "../../system-namespaces.js";
import type { AdmissionPlugin, AdmissionRequest } from "../admission.js";
import { admissionForbidden } from "../forbidden.js";
import { NamespaceIndex } from "../namespace-index.js";
import { add, exceeding, mask, prettyPrint, removeZeros, resourceList, subtractNonNegative, toJson, type ResourceList } from "../resource-list.js";
import { matchingResources, missingPodResources, objectUsage, scopesMatch, type GroupResource } from "./usage.js";

/** Kinds whose usage can change on update; for the rest only creates count. */
const USAGE_CHANGES_ON_UPDATE = new Set(["pods", "persistentvolumeclaims", "services"]);

interface Charge {
  quota: string;
  requested: ResourceList;
}

export class ResourceQuotaPlugin implements AdmissionPlugin {
  readonly name = "ResourceQuota";
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #quotas: NamespaceIndex;

  constructor(private readonly api: ApiContext) {
    this.#quotas = new NamespaceIndex(api.cache, "resourcequotas");
  }

  async validate(request: AdmissionRequest): Promise<void> {
    const { def, namespace, operation } = request;
    if (request.subresource || !namespace || !request.object) return;
    if (operation !== "CREATE" && !(operation === "UPDATE" && def.group === "" && USAGE_CHANGES_ON_UPDATE.has(def.plural))) return;
    if (!this.#quotas.has(namespace)) return;
    await this.serialized(namespace, () => this.charge(request));
  }

  /** Runs fn after every earlier request of the namespace finished (upstream's per-namespace work queue). */
  private async serialized(namespace: string, fn: () => Promise<void>): Promise<void> {
    const previous = this.#queues.get(namespace) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.#queues.set(namespace, settled);
    try {
      await run;
    } finally {
      if (this.#queues.get(namespace) === settled) this.#queues.delete(namespace);
    }
  }

  private async charge(request: AdmissionRequest): Promise<void> {
    await this.api.cache.waitFresh();
    const namespace = request.namespace!;
    const gr = { group: request.def.group, resource: request.def.plural };
    const object = request.object!;
    const quotas = this.#quotas.list(namespace);
    const covering = quotas.filter((quota) => this.covers(request, quota, gr, object));
    if (covering.length === 0) return;
    let delta = objectUsage(gr, object);
    if (request.operation === "UPDATE" && request.oldObject) delta = subtractNonNegative(delta, objectUsage(gr, request.oldObject));
    delta = removeZeros(delta);
    if (delta.size === 0) return;
    const charges: Charge[] = [];
    for (const quota of covering) {
      const requested = mask(delta, resourceList(recordAt(quota, "status", "hard")).keys());
      if (requested.size === 0) continue;
      checkLimit(request, quota, requested);
      charges.push({ quota: quota.metadata?.name ?? "", requested });
    }
    if (request.ctx.dryRun) return;
    const quotaDef = this.quotaDef();
    for (const charge of charges) {
      await this.api.registry.guaranteedUpdate(quotaDef, namespace, charge.quota, systemContext("resourcequota-admission"), "status", async (current) => {
        if (!current) throw admissionForbidden(request, `quota ${charge.quota} was removed while the request was checked`);
        // Checked again against the stored quota: another API server may have charged it meanwhile.
        checkLimit(request, current, charge.requested);
        const status = { ...(recordAt(current, "status") ?? {}) };
        status.used = toJson(add(resourceList(status.used), charge.requested));
        return { ...current, status };
      });
    }
  }

  /** upstream CheckRequest's per-quota checks: scopes, required container resources, known usage. */
  private covers(request: AdmissionRequest, quota: KubeObject, gr: GroupResource, object: KubeObject): boolean {
    if (!scopesMatch(quota, gr, object)) return false;
    const name = quota.metadata?.name ?? "";
    const hard = resourceList(recordAt(quota, "status", "hard"));
    const restricted = matchingResources(gr, hard.keys());
    if (gr.group === "" && gr.resource === "pods") {
      const missing = missingPodResources(object, restricted);
      if (missing) throw admissionForbidden(request, `failed quota: ${name}: ${missing}`);
    }
    const used = resourceList(recordAt(quota, "status", "used"));
    const unknown = restricted.filter((r) => !used.has(r));
    if (unknown.length > 0) throw admissionForbidden(request, `status unknown for quota: ${name}, resources: ${unknown.sort().join(",")}`);
    return restricted.length > 0;
  }

  private quotaDef(): ResourceDef {
    const def = this.api.discovery.find("", "v1", "resourcequotas");
    if (!def) throw new StatusError(500, "InternalError", "Internal error occurred: resourcequotas are not served");
    return def;
  }
}

/** upstream's LessThanOrEqual check of used + requested against hard, with its refusal message. */
function checkLimit(request: AdmissionRequest, quota: KubeObject, requested: ResourceList): void {
  const hard = resourceList(recordAt(quota, "status", "hard"));
  const used = resourceList(recordAt(quota, "status", "used"));
  const newUsage = mask(add(used, requested), requested.keys());
  const exceeded = exceeding(newUsage, hard);
  if (exceeded.length === 0) return;
  const name = quota.metadata?.name ?? "";
  throw admissionForbidden(request, `exceeded quota: ${name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`);
}
