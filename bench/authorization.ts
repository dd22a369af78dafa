// Authorization benchmark: decisions per second of the server's authorizer chain over the default
// policy plus 10,000 RoleBindings (users in 1,000 namespaces), on real watch caches (memory Store).
// "component" is the scheduler binding pods (the same question each time: remembered); "user"
// forgets every decision first (as after an RBAC change: the indexed lookup itself); "node" is a
// node reading a secret its pod uses (Node authorizer and its graph).
import { performance } from "node:perf_hooks";
import { ClusterCache } from "../src/api/cluster-cache.js";
import type { KubeObject } from "../src/api/resource.js";
import { encodeForStorage } from "../src/api/stored-object.js";
import type { Attributes } from "../src/auth/authorization/attributes.js";
import { defaultClusterRoleBindings, defaultClusterRoles } from "../src/auth/authorization/bootstrap-policy.js";
import { ClusterAuthorization } from "../src/auth/authorization/cluster-authorization.js";
import { MemoryStore } from "../src/storage/memory.js";

const NAMESPACES = 1_000;
const BINDINGS = 10_000;
const DECISIONS = 200_000;

async function setUp(): Promise<{ auth: ClusterAuthorization; stop: () => void }> {
  const store = new MemoryStore();
  const put = (resource: string, obj: KubeObject) => {
    const ns = obj.metadata?.namespace;
    return store.create(`/registry/${resource}/${ns ? `${ns}/` : ""}${obj.metadata?.name}`, encodeForStorage(obj));
  };
  for (const role of defaultClusterRoles()) await put("clusterroles", { ...role, rules: role.metadata?.name === "view" ? [{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"] }] : (role as { rules?: unknown[] }).rules } as KubeObject);
  for (const binding of defaultClusterRoleBindings()) await put("clusterrolebindings", binding);
  for (let i = 0; i < BINDINGS; i++) {
    const namespace = `ns-${i % NAMESPACES}`;
    await put("rolebindings", { metadata: { name: `b-${i}`, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", name: `user-${i % 100}` }] } as KubeObject);
  }
  await put("pods", { metadata: { name: "web", namespace: "default" }, spec: { nodeName: "n1", containers: [{ name: "c", envFrom: [{ secretRef: { name: "db" } }] }] } } as KubeObject);
  const cache = new ClusterCache(store);
  for (const r of ["clusterroles", "roles", "clusterrolebindings", "rolebindings", "pods"]) cache.register(r, () => ({}));
  await cache.start();
  const auth = new ClusterAuthorization();
  auth.attach(cache);
  return { auth, stop: () => (auth.detach(), cache.stop()) };
}

function rate(auth: ClusterAuthorization, attrs: (i: number) => Attributes): number {
  const t0 = performance.now();
  let allowed = 0;
  for (let i = 0; i < DECISIONS; i++) if (auth.authorize(attrs(i)).decision === "allow") allowed++;
  const seconds = (performance.now() - t0) / 1000;
  if (allowed !== DECISIONS) throw new Error(`only ${allowed} of ${DECISIONS} decisions allowed`);
  return Math.round(DECISIONS / seconds);
}

export async function benchAuthorization(): Promise<Record<string, number>> {
  const { auth, stop } = await setUp();
  try {
    const scheduler = { name: "system:kube-scheduler", groups: ["system:authenticated"] };
    const node = { name: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
    return {
      componentDecisionsPerSecond: rate(auth, (i) => ({ kind: "resource", user: scheduler, verb: "create", apiGroup: "", resource: "pods", subresource: "binding", namespace: "default", name: `p-${i}` })),
      userDecisionsPerSecond: rate(auth, (i) => (auth.index.generation++, { kind: "resource", user: { name: `user-${i % 100}`, groups: ["system:authenticated"] }, verb: "list", apiGroup: "", resource: "pods", subresource: "", namespace: `ns-${(i % 100) + 100 * (i % 10)}`, name: "" } as Attributes)),
      nodeDecisionsPerSecond: rate(auth, () => ({ kind: "resource", user: node, verb: "get", apiGroup: "", resource: "secrets", subresource: "", namespace: "default", name: "db" })),
    };
  } finally {
    stop();
  }
}
