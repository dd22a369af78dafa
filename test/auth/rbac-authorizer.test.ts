// The RBAC and Node authorizers over real watch caches (memory Store): bindings found by user,
// group and service account; RoleBindings only in their namespace; a missing role as the reason;
// remembered decisions forgotten on change; a node reaching only its own objects.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ClusterCache } from "../../src/api/cluster-cache.js";
import { encodeForStorage } from "../../src/api/stored-object.js";
import { fieldValues } from "../../src/api/list-filter.js";
import { podResource } from "../../src/api/resources/pod.js";
import type { KubeObject } from "../../src/api/resource.js";
import type { UserInfo } from "../../src/auth/authenticate.js";
import type { Attributes } from "../../src/auth/authorization/attributes.js";
import { ClusterAuthorization } from "../../src/auth/authorization/cluster-authorization.js";
import { MemoryStore } from "../../src/storage/memory.js";

const RESOURCES = ["clusterroles", "roles", "clusterrolebindings", "rolebindings", "pods"];

function binding(kind: "RoleBinding" | "ClusterRoleBinding", name: string, role: { kind: string; name: string }, subjects: Record<string, string>[], namespace?: string): KubeObject {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: { name, ...(namespace ? { namespace } : {}) }, roleRef: { apiGroup: "rbac.authorization.k8s.io", ...role }, subjects };
}

const can = (auth: ClusterAuthorization, user: UserInfo, verb: string, resource: string, namespace = "", name = "", group = ""): boolean => {
  const [plural = "", subresource = ""] = resource.split("/");
  const attrs: Attributes = { kind: "resource", user, verb, apiGroup: group, resource: plural, subresource, namespace, name };
  return auth.authorize(attrs).decision === "allow";
};

describe("the RBAC and Node authorizers", () => {
  const store = new MemoryStore();
  const cache = new ClusterCache(store);
  const auth = new ClusterAuthorization();
  const put = async (resource: string, obj: KubeObject) => {
    const ns = obj.metadata?.namespace;
    const key = `/registry/${resource}/${ns ? `${ns}/` : ""}${obj.metadata?.name}`;
    const existing = await store.get(key);
    if (existing) await store.update(key, encodeForStorage(obj), existing.modRevision);
    else await store.create(key, encodeForStorage(obj));
    await cache.waitFresh();
  };

  before(async () => {
    // Pods indexed by their field selectors (spec.nodeName), as the server's cache indexes them.
    const pods = podResource();
    for (const r of RESOURCES) cache.register(r, r === "pods" ? (obj) => fieldValues(pods, obj) : () => ({}));
    // Present before the caches start: loaded, not watched.
    await store.create("/registry/clusterroles/pod-reader", encodeForStorage({ metadata: { name: "pod-reader" }, rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }] } as KubeObject));
    await cache.start();
    auth.attach(cache);
  });
  after(() => {
    auth.detach();
    cache.stop();
  });

  const alice: UserInfo = { name: "alice", groups: ["system:authenticated"] };
  const devs: UserInfo = { name: "bob", groups: ["devs", "system:authenticated"] };
  const robot: UserInfo = { name: "system:serviceaccount:apps:robot", groups: ["system:serviceaccounts", "system:authenticated"] };

  it("refuses a user no binding names", () => {
    assert.equal(can(auth, alice, "list", "pods", "default"), false);
  });

  it("finds bindings by user, group and service account", async () => {
    await put("clusterrolebindings", binding("ClusterRoleBinding", "devs-read", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "Group", name: "devs" }]));
    await put("rolebindings", binding("RoleBinding", "robot-read", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "ServiceAccount", name: "robot" }], "apps"));
    assert.equal(can(auth, devs, "list", "pods", "anywhere"), true);
    assert.equal(can(auth, devs, "delete", "pods", "anywhere", "p"), false);
    assert.equal(can(auth, robot, "get", "pods", "apps", "p"), true);
    assert.equal(can(auth, robot, "get", "pods", "other", "p"), false, "a RoleBinding grants only in its namespace");
  });

  it("forgets a remembered decision when the binding goes", async () => {
    await put("clusterrolebindings", binding("ClusterRoleBinding", "alice-read", { kind: "ClusterRole", name: "pod-reader" }, [{ kind: "User", name: "alice" }]));
    assert.equal(can(auth, alice, "list", "pods", "default"), true);
    assert.equal(can(auth, alice, "list", "pods", "default"), true);
    await store.delete("/registry/clusterrolebindings/alice-read");
    await cache.waitFresh();
    assert.equal(can(auth, alice, "list", "pods", "default"), false);
  });

  it("gives a binding to a missing role as the reason", async () => {
    await put("rolebindings", binding("RoleBinding", "ghost", { kind: "Role", name: "ghost" }, [{ kind: "User", name: "carol" }], "default"));
    const result = auth.authorize({ kind: "resource", user: { name: "carol", groups: [] }, verb: "get", apiGroup: "", resource: "pods", subresource: "", namespace: "default", name: "" });
    assert.equal(result.decision, "noOpinion");
    assert.equal(result.reason, 'RBAC: role.rbac.authorization.k8s.io "ghost" not found');
  });

  it("lets system:masters do anything", () => {
    assert.equal(can(auth, { name: "root", groups: ["system:masters"] }, "delete", "nodes", "", "n1"), true);
  });

  it("lets a node reach its own node, lease and pods, and the secrets its pods use", async () => {
    const node1: UserInfo = { name: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
    await put("pods", { metadata: { name: "web", namespace: "default" }, spec: { nodeName: "n1", containers: [{ name: "c", envFrom: [{ secretRef: { name: "db" } }] }], volumes: [{ name: "v", configMap: { name: "conf" } }] } } as KubeObject);
    await put("pods", { metadata: { name: "other", namespace: "default" }, spec: { nodeName: "n2", containers: [{ name: "c" }], volumes: [{ name: "v", secret: { secretName: "theirs" } }] } } as KubeObject);
    assert.equal(can(auth, node1, "get", "secrets", "default", "db"), true);
    assert.equal(can(auth, node1, "get", "configmaps", "default", "conf"), true);
    assert.equal(can(auth, node1, "get", "secrets", "default", "theirs"), false);
    assert.equal(can(auth, node1, "list", "secrets", "default"), false);
    assert.equal(can(auth, node1, "patch", "pods/status", "default", "web"), true);
    assert.equal(can(auth, node1, "patch", "pods/status", "default", "other"), false);
    assert.equal(can(auth, node1, "patch", "nodes/status", "", "n1"), true);
    assert.equal(can(auth, node1, "patch", "nodes/status", "", "n2"), false);
    assert.equal(can(auth, node1, "list", "pods"), true);
    assert.equal(can(auth, node1, "update", "leases", "kube-node-lease", "n1", "coordination.k8s.io"), true);
    assert.equal(can(auth, node1, "update", "leases", "kube-node-lease", "n2", "coordination.k8s.io"), false);
    // The pod moves away: its secret with it.
    await put("pods", { metadata: { name: "web", namespace: "default" }, spec: { nodeName: "n2", containers: [{ name: "c", envFrom: [{ secretRef: { name: "db" } }] }] } } as KubeObject);
    assert.equal(can(auth, node1, "get", "secrets", "default", "db"), false);
  });
});
