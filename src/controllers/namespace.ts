// The namespace controller (upstream pkg/controller/namespace): for a namespace with a
// deletionTimestamp it makes sure the phase is Terminating, deletes all content of every
// namespaced served resource, records NamespaceContentRemaining / NamespaceFinalizersRemaining
// (and the other deletion conditions) in the status, looks again after half the estimated time
// while content remains, and finally removes its `kubernetes` entry from spec.finalizers through
// the namespaces/<name>/finalize subresource; the API server purges the namespace once both
// spec.finalizers and metadata.finalizers are empty. It reads the namespace live before acting,
// as upstream does, since other controllers edit terminating namespaces too.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { type Client, CORE_V1 } from "../client/client.js";
import { defineController, enqueueObject, type ReconcileResult } from "../client/controller.js";
import type { Logger } from "../log.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { type NamespaceCondition, failureConditions, updateConditions } from "./namespace/conditions.js";
import { ContentDeleter, type DeletionOutcome } from "./namespace/content-deleter.js";
import { ServedResources } from "./served-resources.js";
import { rfc3339 } from "../api/meta-time.js";

const NAMESPACES = CORE_V1("namespaces");
/** The spec.finalizers token this controller owns (upstream FinalizerKubernetes). */
export const FINALIZER_KUBERNETES = "kubernetes";
/** upstream's --concurrent-namespace-syncs default. */
const CONCURRENT_NAMESPACE_SYNCS = 10;

export const namespaceController: ControllerRegistration = {
  name: "namespace",
  component: "namespace-controller",
  create: (ctx) => {
    const informer = ctx.informers.informerFor(NAMESPACES);
    const deleter = new NamespaceDeleter(ctx, new ContentDeleter(ctx.client, new ServedResources().namespacedDeletable()));
    return defineController({
      name: "namespace",
      // Only terminating namespaces need work: the cache says which, the sync reads them live.
      reconcile: async (key, rctx) => (informer.get(key)?.metadata?.deletionTimestamp ? deleter.syncNamespace(key, rctx.logger) : undefined),
      workers: CONCURRENT_NAMESPACE_SYNCS,
      watches: [{ informer, keys: enqueueObject }],
      clock: ctx.clock,
      logger: ctx.log,
    });
  },
};

class NamespaceDeleter {
  private readonly client: Client;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly content: ContentDeleter,
  ) {
    this.client = ctx.client;
  }

  /** upstream's namespacedResourcesDeleter.Delete. */
  async syncNamespace(name: string, log: Logger): Promise<ReconcileResult> {
    let namespace = await this.getNamespace(name);
    if (!namespace?.metadata?.deletionTimestamp) return;
    namespace = await this.ensureTerminating(namespace);
    if (specFinalizers(namespace).length === 0) return;
    const deletedAtMs = Date.parse(namespace.metadata?.deletionTimestamp ?? "");
    const outcome = await this.content.deleteAllContent(name, Math.max(0, (this.ctx.clock.now() - deletedAtMs) / 1000));
    await this.recordConditions(namespace, outcome, log);
    if (outcome.errors.length > 0) throw new Error(outcome.errors.map((e) => e.message).join("; "));
    if (outcome.estimateSeconds > 0) {
      log.debug("content remains in the namespace", { estimateSeconds: outcome.estimateSeconds });
      // upstream requeues after half the estimate (ResourcesRemainingError).
      return { requeueAfterMs: Math.max(500, Math.floor(outcome.estimateSeconds / 2) * 1000) };
    }
    await this.finalizeNamespace(name);
  }

  private async getNamespace(name: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(NAMESPACES, undefined, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** upstream's updateNamespaceStatusFunc: phase Terminating (the API sets it too when deleting). */
  private async ensureTerminating(namespace: KubeObject): Promise<KubeObject> {
    const status = (namespace.status ?? {}) as Record<string, unknown>;
    if (status.phase === "Terminating") return namespace;
    return this.client.update(NAMESPACES, undefined, { ...namespace, status: { ...status, phase: "Terminating" } }, { subresource: "status" });
  }

  /** Always written when they change: a condition that cleared must say so. Failures are logged only. */
  private async recordConditions(namespace: KubeObject, outcome: DeletionOutcome, log: Logger): Promise<void> {
    const status = (namespace.status ?? {}) as { conditions?: NamespaceCondition[] };
    // metav1.Time: RFC 3339 at second precision.
    const now = rfc3339(this.ctx.clock.now());
    const { conditions, changed } = updateConditions(status.conditions ?? [], failureConditions(outcome.totals), now);
    if (!changed) return;
    try {
      await this.client.update(NAMESPACES, undefined, { ...namespace, status: { ...status, conditions } }, { subresource: "status" });
    } catch (err) {
      log.warn("could not update the namespace's status conditions", { err });
    }
  }

  /** upstream's finalizeNamespace: spec.finalizers without ours, through /finalize. */
  private async finalizeNamespace(name: string): Promise<void> {
    const namespace = await this.getNamespace(name);
    if (!namespace) return;
    const remaining = specFinalizers(namespace).filter((f) => f !== FINALIZER_KUBERNETES);
    const spec = (namespace.spec ?? {}) as Record<string, unknown>;
    try {
      await this.client.update(NAMESPACES, undefined, { ...namespace, spec: { ...spec, finalizers: remaining } }, { subresource: "finalize" });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function specFinalizers(namespace: KubeObject): string[] {
  const finalizers = (namespace.spec as { finalizers?: unknown } | undefined)?.finalizers;
  return Array.isArray(finalizers) ? finalizers.filter((f): f is string => typeof f === "string") : [];
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}
