// The root CA certificate publisher (upstream pkg/controller/certificates/rootcacertpublisher):
// every active namespace has a ConfigMap `kube-root-ca.crt` whose `ca.crt` is the cluster CA, so
// pods can verify the API server (the ServiceAccount admission plugin projects it next to their
// token). A changed or deleted one is put back. Keys are namespace names: a namespace event queues
// itself, an event of a kube-root-ca.crt ConfigMap queues its namespace.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, enqueueObject, keyFor } from "../client/controller.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";

const NAMESPACES = CORE_V1("namespaces");
const CONFIG_MAPS = CORE_V1("configmaps");
export const ROOT_CA_CONFIG_MAP = "kube-root-ca.crt";
export const ROOT_CA_KEY = "ca.crt";
const DESCRIPTION_ANNOTATION = "kubernetes.io/description";
const DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

export const rootCAPublisherController: ControllerRegistration = {
  name: "root-ca-cert-publisher",
  component: "root-ca-cert-publisher",
  create: (ctx) => {
    const namespaces = ctx.informers.informerFor(NAMESPACES);
    const configMaps = ctx.informers.informerFor(CONFIG_MAPS);
    return defineController({
      name: "root-ca-cert-publisher",
      reconcile: async (name) => syncNamespace(ctx, namespaces.get(name), configMaps.get(keyFor(name, ROOT_CA_CONFIG_MAP))),
      watches: [
        { informer: namespaces, keys: enqueueObject },
        { informer: configMaps, keys: (cm) => (cm.metadata?.name === ROOT_CA_CONFIG_MAP && cm.metadata.namespace ? [cm.metadata.namespace] : []) },
      ],
      clock: ctx.clock,
      logger: ctx.log,
    });
  },
};

async function syncNamespace(ctx: ControllerContext, namespace: KubeObject | undefined, current: KubeObject | undefined): Promise<void> {
  const caPem = ctx.signer?.caCertPem;
  const name = namespace?.metadata?.name;
  if (!caPem || !name || (namespace.status as { phase?: string } | undefined)?.phase !== "Active") return;
  const data = { [ROOT_CA_KEY]: caPem };
  try {
    if (!current) {
      await ctx.client.create(CONFIG_MAPS, name, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: ROOT_CA_CONFIG_MAP, namespace: name, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data });
      return;
    }
    const currentData = (current.data ?? {}) as Record<string, string>;
    const annotations = current.metadata?.annotations ?? {};
    if (Object.keys(currentData).length === 1 && currentData[ROOT_CA_KEY] === caPem && annotations[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
    const { binaryData: _replaced, ...rest } = current;
    await ctx.client.update(CONFIG_MAPS, name, { ...rest, metadata: { ...current.metadata, annotations: { ...annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data });
  } catch (err) {
    // AlreadyExists/Conflict: the cache is behind and the next event brings us back. Forbidden:
    // the namespace started terminating. NotFound: the ConfigMap or namespace went away meanwhile.
    if (err instanceof StatusError && [403, 404, 409].includes(err.code)) return;
    throw err;
  }
}
