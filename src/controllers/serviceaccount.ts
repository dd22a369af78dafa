// The service account controller (upstream pkg/controller/serviceaccount/serviceaccounts_controller.go):
// every active namespace has a `default` ServiceAccount; one deleted is created again. Keys are
// namespace names: a namespace event queues itself, a ServiceAccount event queues its namespace.
// A namespace that is not Active (Terminating) is left alone, and the create that loses a race
// with termination (403) or with another writer (409 AlreadyExists) is not an error.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, enqueueObject, keyFor } from "../client/controller.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";

const NAMESPACES = CORE_V1("namespaces");
const SERVICE_ACCOUNTS = CORE_V1("serviceaccounts");
/** upstream's DefaultServiceAccountsControllerOptions: the accounts every namespace gets. */
const SERVICE_ACCOUNTS_TO_ENSURE = ["default"];

export const serviceAccountController: ControllerRegistration = {
  name: "serviceaccount",
  component: "service-account-controller",
  create: (ctx) => {
    const namespaces = ctx.informers.informerFor(NAMESPACES);
    const serviceAccounts = ctx.informers.informerFor(SERVICE_ACCOUNTS);
    return defineController({
      name: "serviceaccount",
      reconcile: async (name) => syncNamespace(ctx, { namespace: namespaces.get(name), hasAccount: (sa) => serviceAccounts.get(keyFor(name, sa)) !== undefined }),
      watches: [
        { informer: namespaces, keys: enqueueObject },
        { informer: serviceAccounts, keys: (sa) => (isEnsured(sa) && sa.metadata?.namespace ? [sa.metadata.namespace] : []) },
      ],
      clock: ctx.clock,
      logger: ctx.log,
    });
  },
};

interface NamespaceState {
  namespace: KubeObject | undefined;
  hasAccount(name: string): boolean;
}

/** Creates the missing accounts of an active namespace. */
async function syncNamespace(ctx: ControllerContext, state: NamespaceState): Promise<void> {
  const namespace = state.namespace;
  const name = namespace?.metadata?.name;
  if (!name || (namespace.status as { phase?: string } | undefined)?.phase !== "Active") return;
  const failures: Error[] = [];
  for (const account of SERVICE_ACCOUNTS_TO_ENSURE) {
    if (state.hasAccount(account)) continue;
    try {
      await ctx.client.create(SERVICE_ACCOUNTS, name, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: account, namespace: name } });
    } catch (err) {
      // AlreadyExists: someone was first. Forbidden: the namespace started terminating meanwhile.
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 403))) failures.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  if (failures.length > 0) throw new Error(failures.map((e) => e.message).join("; "));
}

function isEnsured(sa: KubeObject): boolean {
  return SERVICE_ACCOUNTS_TO_ENSURE.includes(sa.metadata?.name ?? "");
}
