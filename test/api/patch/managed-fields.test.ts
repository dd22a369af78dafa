// managedFields for create, update and patch (operation "Update"), compared with what upstream
// records for the same writes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { updateManagedFields, type UpdateManagedFieldsOptions } from "../../../src/api/patch/managed-fields.js";
import { builtinSchemas } from "../../../src/api/schema.js";
import type { KubeObject, ManagedFieldsEntry } from "../../../src/api/resource.js";

const registry = builtinSchemas();
const schema = registry.forKind({ group: "apps", version: "v1", kind: "Deployment" });
const T0 = new Date("2024-05-01T10:00:00.500Z");
const T1 = new Date("2024-05-01T10:05:00Z");

function deployment(replicas = 2, image = "x:v1"): KubeObject {
  return {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: { app: "web" } },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "api-server", image }] } },
    },
  };
}

function write(options: Partial<UpdateManagedFieldsOptions> & Pick<UpdateManagedFieldsOptions, "updated">): KubeObject {
  return updateManagedFields({ live: undefined, manager: "kubectl-create", apiVersion: "apps/v1", schema, registry, now: T0, ...options });
}

/** What the server stores: the written object with server-set metadata. */
function stored(object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, uid: "uid-1", resourceVersion: "1" } };
}

function changed(object: KubeObject, change: (copy: KubeObject & { spec: Record<string, unknown> }) => void): KubeObject {
  const copy = structuredClone(object) as KubeObject & { spec: Record<string, unknown> };
  change(copy);
  return copy;
}

const summary = (entries: ManagedFieldsEntry[] | undefined) =>
  (entries ?? []).map((e) => ({ manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, subresource: e.subresource, fields: e.fieldsV1 }));

const CREATED_FIELDS = {
  "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
  "f:spec": {
    "f:replicas": {},
    "f:selector": {},
    "f:template": {
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": { "f:containers": { 'k:{"name":"api-server"}': { ".": {}, "f:image": {}, "f:name": {} } } },
    },
  },
};

describe("managed fields of non-apply writes", () => {
  it("a create gives the creator every field it set, as one Update entry with a time", () => {
    const created = write({ updated: deployment() });
    assert.deepEqual(created.metadata?.managedFields, [
      { manager: "kubectl-create", operation: "Update", apiVersion: "apps/v1", time: "2024-05-01T10:00:00Z", fieldsType: "FieldsV1", fieldsV1: CREATED_FIELDS },
    ]);
  });

  it("an update gives the writer the fields it changed and takes them from their previous owner", () => {
    const live = stored(write({ updated: deployment() }));
    const updated = write({ live, updated: changed(live, (d) => { d.spec.replicas = 5; }), manager: "kubectl-scale", now: T1 });
    const { "f:replicas": _, ...creatorSpec } = CREATED_FIELDS["f:spec"];
    assert.deepEqual(summary(updated.metadata?.managedFields).map((e) => [e.manager, e.fields]), [
      ["kubectl-create", { ...CREATED_FIELDS, "f:spec": creatorSpec }],
      ["kubectl-scale", { "f:spec": { "f:replicas": {} } }],
    ]);
    assert.equal(updated.metadata?.managedFields?.[1]?.time, "2024-05-01T10:05:00Z");
  });

  it("an update that changes nothing leaves managedFields as they were", () => {
    const live = stored(write({ updated: deployment() }));
    const updated = write({ live, updated: structuredClone(live), manager: "someone-else", now: T1 });
    assert.deepEqual(updated.metadata?.managedFields, live.metadata?.managedFields);
  });

  it("a removed field leaves its owner, and an owner left with nothing is dropped", () => {
    const live = stored(write({ updated: deployment() }));
    const scaled = stored(write({ live, updated: changed(live, (d) => { d.spec.replicas = 5; }), manager: "kubectl-scale", now: T1 }));
    const updated = write({ live: scaled, updated: changed(scaled, (d) => { delete d.spec.replicas; }), manager: "kubectl-edit", now: T1 });
    assert.deepEqual(summary(updated.metadata?.managedFields).map((e) => e.manager), ["kubectl-create"]);
  });

  it("keeps one entry per manager, operation, apiVersion and subresource", () => {
    const live = stored(write({ updated: deployment() }));
    const viaBeta = stored(write({ live, updated: changed(live, (d) => { d.spec.paused = true; }), manager: "kubectl-create", apiVersion: "apps/v1beta1", now: T1 }));
    const withStatus = write({ live: viaBeta, updated: { ...viaBeta, status: { replicas: 2 } }, manager: "kubectl-create", subresource: "status", now: T1 });
    assert.deepEqual(summary(withStatus.metadata?.managedFields).map((e) => [e.manager, e.apiVersion, e.subresource]), [
      ["kubectl-create", "apps/v1", undefined],
      ["kubectl-create", "apps/v1", "status"],
      ["kubectl-create", "apps/v1beta1", undefined],
    ]);
  });

  it("the same manager writing again adds to its fields and gets a new time", () => {
    const live = stored(write({ updated: deployment() }));
    const updated = write({ live, updated: changed(live, (d) => { d.spec.paused = true; }), now: T1 });
    const [entry] = updated.metadata?.managedFields ?? [];
    assert.equal(updated.metadata?.managedFields?.length, 1);
    assert.deepEqual((entry?.fieldsV1?.["f:spec"] as Record<string, unknown>)["f:paused"], {});
    assert.equal(entry?.time, "2024-05-01T10:05:00Z");
  });

  it("a client sending managedFields: [] clears them, and the object stays untracked", () => {
    const live = stored(write({ updated: deployment() }));
    const reset = stored(write({ live, updated: { ...live, metadata: { ...live.metadata, managedFields: [] } }, manager: "kubectl-edit" }));
    assert.equal(reset.metadata?.managedFields, undefined);
    const later = write({ live: reset, updated: changed(reset, (d) => { d.spec.replicas = 9; }), manager: "kubectl-scale" });
    assert.equal(later.metadata?.managedFields, undefined);
  });

  it("more than ten update managers fold the oldest into ancient-changes", () => {
    let live = stored(write({ updated: deployment() }));
    for (let i = 0; i < 11; i++) {
      live = stored(write({ live, updated: changed(live, (d) => { d.spec[`field${i}`] = i; }), manager: `writer-${i}`, now: new Date(T1.getTime() + i * 1000) }));
    }
    const managers = summary(live.metadata?.managedFields).map((e) => e.manager);
    assert.equal(managers.length, 10);
    assert.ok(managers.includes("ancient-changes"));
    assert.ok(!managers.includes("kubectl-create") && !managers.includes("writer-0"));
  });

  it("ignored fields (upstream's resetFields) are never owned", () => {
    const created = write({ updated: { ...deployment(), status: { replicas: 0 } }, ignoredFields: [["status"]] });
    assert.deepEqual(created.metadata?.managedFields?.[0]?.fieldsV1, CREATED_FIELDS);
  });

  it("does not mutate the live or the updated object", () => {
    const live = stored(write({ updated: deployment() }));
    const updated = changed(live, (d) => { d.spec.replicas = 7; });
    const liveBefore = structuredClone(live);
    const updatedBefore = structuredClone(updated);
    write({ live, updated, manager: "kubectl-scale" });
    assert.deepEqual(live, liveBefore);
    assert.deepEqual(updated, updatedBefore);
  });
});
