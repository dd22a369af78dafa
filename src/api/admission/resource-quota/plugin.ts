// The ResourceQuota admission plugin (upstream's admission/plugin/resourcequota): a create (or an
// update that changes usage) is charged to every quota of its namespace that covers it. As
// upstream's quota evaluator, the requests of one namespace wait in a queue and are checked in
// batches: each against status.used (as the cache holds it after every acknowledged write) plus
// what the earlier requests of the batch took, then each charged quota's status is written once
// for the whole batch, before any of its objects is stored, so concurrent creates cannot overshoot.
// The quota controller later recounts from the objects themselves. Refusals carry upstream's
// messages ("exceeded quota: ...").
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

interface Waiter {
  request: AdmissionRequest;
  resolve(): void;
  reject(err: unknown): void;
}

/** One quota while a batch is checked: its limits, its usage so far, and what the batch charged. */
interface QuotaState {
  quota: KubeObject;
  name: string;
  hard: ResourceList;
  used: ResourceList;
  charged: ResourceList;
}

export class ResourceQuotaPlugin implements AdmissionPlugin {
  readonly name = "ResourceQuota";
  readonly #waiting = new Map<string, Waiter[]>();
  readonly #draining = new Set<string>();
  readonly #quotas: NamespaceIndex;

  constructor(private readonly api: ApiContext) {
    this.#quotas = new NamespaceIndex(api.cache, "resourcequotas");
  }

  validate(request: AdmissionRequest): Promise<void> | void {
    const { def, namespace, operation } = request;
    if (request.subresource || !namespace || !request.object) return;
    if (operation !== "CREATE" && !(operation === "UPDATE" && def.group === "" && USAGE_CHANGES_ON_UPDATE.has(def.plural))) return;
    if (!this.#quotas.has(namespace)) return;
    return new Promise((resolve, reject) => {
      const queue = this.#waiting.get(namespace) ?? [];
      queue.push({ request, resolve, reject });
      this.#waiting.set(namespace, queue);
      if (!this.#draining.has(namespace)) void this.drain(namespace);
    });
  }

  /** Checks the namespace's waiting requests, batch after batch, until none is left. */
  private async drain(namespace: string): Promise<void> {
    this.#draining.add(namespace);
    try {
      for (let batch = this.take(namespace); batch.length > 0; batch = this.take(namespace)) await this.checkBatch(namespace, batch, true);
    } finally {
      this.#draining.delete(namespace);
    }
  }

  private take(namespace: string): Waiter[] {
    const batch = this.#waiting.get(namespace) ?? [];
    this.#waiting.delete(namespace);
    return batch;
  }

  /**
   * upstream checkQuotas: each request against the usage the earlier ones left, one status write
   * per charged quota. When a write fails (another API server charged the quota meanwhile), the
   * admitted requests are checked again one by one against fresh usage.
   */
  private async checkBatch(namespace: string, batch: Waiter[], retry: boolean): Promise<void> {
    const admitted: Waiter[] = [];
    let quotas: QuotaState[];
    try {
      await this.api.cache.waitFresh();
      quotas = this.#quotas.list(namespace).map(quotaState);
    } catch (err) {
      for (const waiter of batch) waiter.reject(err);
      return;
    }
    for (const waiter of batch) {
      try {
        this.charge(waiter.request, quotas);
        admitted.push(waiter);
      } catch (err) {
        waiter.reject(err);
      }
    }
    try {
      await this.writeCharges(namespace, quotas);
    } catch (err) {
      if (retry && admitted.length > 1) {
        for (const waiter of admitted) await this.checkBatch(namespace, [waiter], false);
      } else {
        for (const waiter of admitted) waiter.reject(err);
      }
      return;
    }
    for (const waiter of admitted) waiter.resolve();
  }

  /** upstream CheckRequest for one request: refuses it, or adds its usage to the quotas it is charged to. */
  private charge(request: AdmissionRequest, quotas: QuotaState[]): void {
    const gr = { group: request.def.group, resource: request.def.plural };
    const object = request.object!;
    const covering = quotas.filter((state) => covers(request, state, gr, object));
    if (covering.length === 0) return;
    let delta = objectUsage(gr, object);
    if (request.operation === "UPDATE" && request.oldObject) delta = subtractNonNegative(delta, objectUsage(gr, request.oldObject));
    delta = removeZeros(delta);
    if (delta.size === 0) return;
    const charges = covering.map((state) => ({ state, requested: mask(delta, state.hard.keys()) })).filter((c) => c.requested.size > 0);
    for (const { state, requested } of charges) checkLimit(request, state.name, state.hard, state.used, requested);
    if (request.ctx.dryRun) return;
    for (const { state, requested } of charges) {
      state.used = add(state.used, requested);
      state.charged = add(state.charged, requested);
    }
  }

  /** Adds each quota's batch charge to its stored status.used, checked again against the stored quota. */
  private async writeCharges(namespace: string, quotas: QuotaState[]): Promise<void> {
    const quotaDef = this.quotaDef();
    for (const state of quotas) {
      if (state.charged.size === 0) continue;
      await this.api.registry.guaranteedUpdate(quotaDef, namespace, state.name, systemContext("resourcequota-admission"), "status", async (current) => {
        if (!current) throw new StatusError(409, "Conflict", `Operation cannot be fulfilled on resourcequotas "${state.name}": the quota was removed while requests were checked`);
        const status = { ...(recordAt(current, "status") ?? {}) };
        const used = resourceList(status.used);
        const exceeded = exceeding(mask(add(used, state.charged), state.charged.keys()), resourceList(status.hard));
        if (exceeded.length > 0) throw new StatusError(409, "Conflict", `Operation cannot be fulfilled on resourcequotas "${state.name}": the quota was charged by another writer`);
        status.used = toJson(add(used, state.charged));
        return { ...current, status };
      });
    }
  }

  private quotaDef(): ResourceDef {
    const def = this.api.discovery.find("", "v1", "resourcequotas");
    if (!def) throw new StatusError(500, "InternalError", "Internal error occurred: resourcequotas are not served");
    return def;
  }
}

function quotaState(quota: KubeObject): QuotaState {
  return { quota, name: quota.metadata?.name ?? "", hard: resourceList(recordAt(quota, "status", "hard")), used: resourceList(recordAt(quota, "status", "used")), charged: new Map() };
}

/** upstream CheckRequest's per-quota checks: scopes, required container resources, known usage. */
function covers(request: AdmissionRequest, state: QuotaState, gr: GroupResource, object: KubeObject): boolean {
  if (!scopesMatch(state.quota, gr, object)) return false;
  const restricted = matchingResources(gr, state.hard.keys());
  if (gr.group === "" && gr.resource === "pods") {
    const missing = missingPodResources(object, restricted);
    if (missing) throw admissionForbidden(request, `failed quota: ${state.name}: ${missing}`);
  }
  const unknown = restricted.filter((r) => !state.used.has(r));
  if (unknown.length > 0) throw admissionForbidden(request, `status unknown for quota: ${state.name}, resources: ${unknown.sort().join(",")}`);
  return restricted.length > 0;
}

/** upstream's LessThanOrEqual check of used + requested against hard, with its refusal message. */
function checkLimit(request: AdmissionRequest, name: string, hard: ResourceList, used: ResourceList, requested: ResourceList): void {
  const exceeded = exceeding(mask(add(used, requested), requested.keys()), hard);
  if (exceeded.length === 0) return;
  throw admissionForbidden(request, `exceeded quota: ${name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`);
}
