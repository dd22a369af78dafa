// A stateful pod's identity, its claims' owners under each retention policy, and revisions
// (src/controllers/statefulset/identity.ts, claim-owners.ts, history.ts), as tables.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimOwnerRefsForPolicy, isClaimOwnerUpToDate } from "../../src/controllers/statefulset/claim-owners.js";
import { applyRevision, equalRevision, newRevision, sortRevisions } from "../../src/controllers/statefulset/history.js";
import { getParentNameAndOrdinal, identityMatches, newStatefulSetPod, storageMatches } from "../../src/controllers/statefulset/identity.js";
import type { Claim, RetentionPolicyType, StatefulPod, StatefulSet } from "../../src/controllers/statefulset/objects.js";

function set(replicas = 3, policy?: { whenDeleted: RetentionPolicyType; whenScaled: RetentionPolicyType }): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default", uid: "set-uid", annotations: { "kubernetes.io/change-cause": "first" } },
    spec: {
      replicas,
      serviceName: "web-svc",
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }], volumes: [{ name: "config", configMap: { name: "c" } }] } },
      volumeClaimTemplates: [{ metadata: { name: "www", labels: { tier: "data" } }, spec: { accessModes: ["ReadWriteOnce"] }, status: { phase: "Pending" } }],
      ...(policy ? { persistentVolumeClaimRetentionPolicy: policy } : {}),
    },
  };
}

describe("statefulset pod identity", () => {
  it("reads the parent and ordinal from a pod's name", () => {
    const cases: [string, [string, number]][] = [
      ["web-0", ["web", 0]],
      ["my-web-12", ["my-web", 12]],
      ["web", ["", -1]],
      ["web-", ["", -1]],
      ["web-x", ["", -1]],
      ["web-0-x", ["", -1]],
      ["-7", ["", 7]],
      ["web-99999999999", ["web", -1]],
    ];
    for (const [name, expected] of cases) assert.deepEqual(getParentNameAndOrdinal(name), expected, name);
  });

  it("builds pod web-2 with its name, labels, hostname, subdomain, claim volume and owner", () => {
    const pod = newStatefulSetPod(set(), 2);
    assert.equal(pod.metadata.name, "web-2");
    assert.equal(pod.metadata.generateName, undefined);
    assert.deepEqual(pod.metadata.labels, { app: "web", "statefulset.kubernetes.io/pod-name": "web-2", "apps.kubernetes.io/pod-index": "2" });
    assert.deepEqual([pod.spec?.hostname, pod.spec?.subdomain], ["web-2", "web-svc"]);
    assert.deepEqual(pod.spec?.volumes, [{ name: "www", persistentVolumeClaim: { claimName: "www-web-2" } }, { name: "config", configMap: { name: "c" } }]);
    assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "set-uid", controller: true, blockOwnerDeletion: true }]);
    assert.ok(identityMatches(set(), pod) && storageMatches(set(), pod));
  });

  it("tells a pod whose label or claim volume drifted", () => {
    const pod = newStatefulSetPod(set(), 1);
    assert.equal(identityMatches(set(), { ...pod, metadata: { ...pod.metadata, labels: { app: "web" } } }), false);
    assert.equal(storageMatches(set(), { ...pod, spec: { ...pod.spec, volumes: [] } }), false);
  });
});

describe("statefulset claim owners", () => {
  const claim = (ownerReferences?: Claim["metadata"]["ownerReferences"]): Claim => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "www-web-x", ownerReferences } });
  const pod = (ordinal: number): StatefulPod => ({ ...newStatefulSetPod(set(), ordinal), metadata: { ...newStatefulSetPod(set(), ordinal).metadata, uid: `pod-${ordinal}` } });
  const kinds = (refs: { kind: string; controller?: boolean }[]) => refs.map((r) => `${r.kind}${r.controller ? "*" : ""}`);

  it("gives each policy its owners, in range (web-1) and scaled away (web-5)", () => {
    const table: [RetentionPolicyType, RetentionPolicyType, string[], string[]][] = [
      ["Retain", "Retain", [], []],
      ["Delete", "Retain", ["StatefulSet*"], ["StatefulSet*"]],
      ["Retain", "Delete", [], ["Pod*"]],
      ["Delete", "Delete", ["StatefulSet*"], ["Pod*"]],
    ];
    for (const [whenDeleted, whenScaled, inRange, scaledAway] of table) {
      const s = set(3, { whenDeleted, whenScaled });
      const label = `whenDeleted ${whenDeleted}, whenScaled ${whenScaled}`;
      assert.deepEqual(kinds(claimOwnerRefsForPolicy(claim(), s, pod(1))), inRange, `${label}, in range`);
      assert.deepEqual(kinds(claimOwnerRefsForPolicy(claim(), s, pod(5))), scaledAway, `${label}, scaled away`);
      assert.equal(isClaimOwnerUpToDate({ ...claim(), metadata: { ...claim().metadata, ownerReferences: claimOwnerRefsForPolicy(claim(), s, pod(5)) } }, s, pod(5)), true);
    }
  });

  it("turns the pre-1.32 non-controller reference into a controller reference", () => {
    const s = set(3, { whenDeleted: "Delete", whenScaled: "Retain" });
    const old = claim([{ apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "set-uid" }]);
    assert.equal(isClaimOwnerUpToDate(old, s, pod(1)), false);
    assert.deepEqual(kinds(claimOwnerRefsForPolicy(old, s, pod(1))), ["StatefulSet*"]);
  });

  it("leaves alone a claim owned by a previous set of the same name, and one another controller owns", () => {
    const s = set(3, { whenDeleted: "Delete", whenScaled: "Delete" });
    assert.equal(isClaimOwnerUpToDate(claim([{ apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "older", controller: true }]), s, pod(1)), true);
    const foreign = claim([{ apiVersion: "example.com/v1", kind: "Database", name: "db", uid: "db-uid", controller: true }]);
    assert.equal(isClaimOwnerUpToDate(foreign, s, pod(1)), true);
    assert.deepEqual(kinds(claimOwnerRefsForPolicy(foreign, s, pod(1))), ["Database*"]);
  });
});

describe("statefulset revisions", () => {
  it("records the template as a replacing patch, named and labelled by its hash, with the set's annotations", () => {
    const revision = newRevision(set(), 1, 0);
    const hash = revision.metadata.labels?.["controller-revision-hash"] ?? "";
    assert.equal(revision.metadata.name, `web-${hash}`);
    assert.equal(revision.metadata.labels?.app, "web");
    assert.equal(revision.metadata.annotations?.["kubernetes.io/change-cause"], "first");
    assert.equal((revision.data as { spec: { template: { $patch: string } } }).spec.template.$patch, "replace");
    assert.notEqual(newRevision(set(), 1, 1).metadata.name, revision.metadata.name, "a collision count changes the name");
  });

  it("restores the template by applying a revision, and tells equal templates", () => {
    const s = set();
    const older = newRevision(s, 1, 0);
    const changed: StatefulSet = { ...s, spec: { ...s.spec, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:2" }] } } } };
    assert.deepEqual(applyRevision(changed, older).spec.template, s.spec.template);
    assert.equal(equalRevision(older, newRevision(s, 7, 3)), true);
    assert.equal(equalRevision(older, newRevision(changed, 2, 0)), false);
  });

  it("sorts revisions by number, then age, then name", () => {
    const r = (name: string, revision: number, created: string) => ({ ...newRevision(set(), revision, 0), metadata: { name, creationTimestamp: created } });
    const sorted = sortRevisions([r("c", 2, "2026-01-01T00:00:00Z"), r("b", 1, "2026-01-02T00:00:00Z"), r("a", 1, "2026-01-02T00:00:00Z"), r("d", 1, "2026-01-01T00:00:00Z")]);
    assert.deepEqual(sorted.map((x) => x.metadata.name), ["d", "a", "b", "c"]);
  });
});
