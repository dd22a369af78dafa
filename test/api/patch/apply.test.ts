// Server-side apply: creation, re-apply, removal of fields an applier drops, conflicts and force,
// shared ownership, list merging, the before-first-apply and client-side-apply migration rules.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { serverSideApply, type ApplyOptions } from "../../../src/api/patch/apply.js";
import { updateManagedFields } from "../../../src/api/patch/managed-fields.js";
import { builtinSchemas } from "../../../src/api/schema.js";
import { StatusError } from "../../../src/api/errors.js";
import type { KubeObject, ManagedFieldsEntry } from "../../../src/api/resource.js";

const registry = builtinSchemas();
const schema = registry.forKind({ group: "apps", version: "v1", kind: "Deployment" });
const T0 = new Date("2024-05-01T10:00:00Z");
const T1 = new Date("2024-05-01T11:00:00Z");
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

interface Config {
  replicas?: number;
  image?: string;
  containers?: Array<Record<string, unknown>>;
  labels?: Record<string, string>;
}

function config({ replicas, image = "x:v1", containers, labels }: Config = {}): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: containers ?? [{ name: "api-server", image }] } },
  };
  if (replicas !== undefined) spec.replicas = replicas;
  const metadata = labels ? { name: "web", labels } : { name: "web" };
  return { apiVersion: "apps/v1", kind: "Deployment", metadata, spec };
}

function apply(options: Partial<ApplyOptions> & Pick<ApplyOptions, "applied">) {
  return serverSideApply({ live: undefined, manager: "mgr-a", force: false, apiVersion: "apps/v1", schema, registry, now: T0, ...options });
}

/** What the server stores: the written object with server-set metadata. */
function stored(object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, uid: "uid-1", resourceVersion: "1" } };
}

function update(live: KubeObject, manager: string, change: (spec: Record<string, unknown>) => void): KubeObject {
  const updated = structuredClone(live) as KubeObject & { spec: Record<string, unknown> };
  change(updated.spec);
  return stored(updateManagedFields({ live, updated, manager, apiVersion: "apps/v1", schema, registry, now: T1 }));
}

const managers = (object: KubeObject) => (object.metadata?.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);
const fieldsOf = (object: KubeObject, manager: string) => object.metadata?.managedFields?.find((e) => e.manager === manager)?.fieldsV1;
const specFieldsOf = (object: KubeObject, manager: string) => fieldsOf(object, manager)?.["f:spec"] as Record<string, unknown> | undefined;
const withoutTime = (entries: ManagedFieldsEntry[] | undefined) => (entries ?? []).map(({ time: _, ...rest }) => rest);

function expectStatus(run: () => unknown, code: number, check: (error: StatusError) => void): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof StatusError, String(error));
    assert.equal(error.code, code);
    check(error);
    return true;
  });
}

describe("server-side apply", () => {
  it("the first apply creates the object and owns the fields it applied", () => {
    const { object, changed } = apply({ applied: config({ replicas: 2, labels: { app: "web" } }) });
    assert.equal(changed, true);
    assert.equal((object.spec as Record<string, unknown>).replicas, 2);
    assert.deepEqual(object.metadata?.managedFields, [{
      manager: "mgr-a", operation: "Apply", apiVersion: "apps/v1", time: "2024-05-01T10:00:00Z", fieldsType: "FieldsV1",
      fieldsV1: {
        "f:metadata": { "f:labels": { "f:app": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:selector": {},
          "f:template": {
            "f:metadata": { "f:labels": { "f:app": {} } },
            "f:spec": { "f:containers": { 'k:{"name":"api-server"}': { ".": {}, "f:image": {}, "f:name": {} } } },
          },
        },
      },
    }]);
  });

  it("re-applying the same configuration changes nothing, managedFields included", () => {
    const live = stored(apply({ applied: config({ replicas: 2 }) }).object);
    const { object, changed } = apply({ live, applied: config({ replicas: 2 }), now: T1 });
    assert.equal(changed, false);
    assert.deepEqual({ ...object, metadata: { ...object.metadata, managedFields: undefined } }, { ...live, metadata: { ...live.metadata, managedFields: undefined } });
    assert.deepEqual(withoutTime(object.metadata?.managedFields), withoutTime(live.metadata?.managedFields));
  });

  it("applying without a field it applied before removes the field and its ownership", () => {
    const live = stored(apply({ applied: config({ replicas: 2 }) }).object);
    const { object } = apply({ live, applied: config() });
    assert.equal((object.spec as Record<string, unknown>).replicas, undefined);
    assert.equal(specFieldsOf(object, "mgr-a")?.["f:replicas"], undefined);
  });

  it("a dropped field that another manager also owns is kept", () => {
    const live = stored(apply({ applied: config({ replicas: 2 }) }).object);
    const shared = stored(apply({ live, applied: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 2 } }, manager: "mgr-b" }).object);
    const { object } = apply({ live: shared, applied: config() });
    assert.equal((object.spec as Record<string, unknown>).replicas, 2);
    assert.deepEqual(managers(object).sort(), ["mgr-a/Apply", "mgr-b/Apply"]);
  });

  it("a non-forced apply of a value another manager set is a 409 worded as upstream's", () => {
    const live = stored(apply({ applied: config({ replicas: 2 }), manager: "kubectl" }).object);
    const scaled = update(live, "kubectl-client-side-apply", (spec) => { spec.replicas = 5; });
    expectStatus(() => apply({ live: scaled, applied: config({ replicas: 3 }), manager: "kubectl", now: T1 }), 409, (error) => {
      assert.equal(error.reason, "Conflict");
      assert.equal(error.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
      assert.deepEqual(error.details?.causes, [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: ".spec.replicas" }]);
    });
  });

  it("force takes the conflicting fields over from the other manager", () => {
    const live = stored(apply({ applied: config({ replicas: 2 }) }).object);
    const scaled = update(live, "kube-scaler", (spec) => { spec.replicas = 5; spec.paused = true; });
    const { object } = apply({ live: scaled, applied: config({ replicas: 3 }), force: true, now: T1 });
    assert.equal((object.spec as Record<string, unknown>).replicas, 3);
    assert.deepEqual(specFieldsOf(object, "mgr-a")?.["f:replicas"], {});
    assert.deepEqual(specFieldsOf(object, "kube-scaler"), { "f:paused": {} });
  });

  it("two appliers of the same value share the field without a conflict", () => {
    const live = stored(apply({ applied: config({ replicas: 2 }) }).object);
    const { object, changed } = apply({ live, applied: config({ replicas: 2 }), manager: "mgr-b", now: T1 });
    assert.equal(changed, false);
    assert.deepEqual(specFieldsOf(object, "mgr-a")?.["f:replicas"], {});
    assert.deepEqual(specFieldsOf(object, "mgr-b")?.["f:replicas"], {});
  });

  it("a conflict with another applier names it without an apiVersion", () => {
    const live = stored(apply({ applied: config({ replicas: 2 }) }).object);
    expectStatus(() => apply({ live, applied: config({ replicas: 4 }), manager: "mgr-b" }), 409, (error) => {
      assert.equal(error.message, 'Apply failed with 1 conflict: conflict with "mgr-a": .spec.replicas');
    });
  });

  it("several conflicts are listed manager by manager", () => {
    const live = stored(apply({ applied: config({ replicas: 2, image: "x:v1" }) }).object);
    expectStatus(() => apply({ live, applied: config({ replicas: 4, image: "x:v2" }), manager: "mgr-b" }), 409, (error) => {
      assert.equal(error.message, 'Apply failed with 2 conflicts: conflicts with "mgr-a":\n- .spec.replicas\n- .spec.template.spec.containers[name="api-server"].image');
      assert.equal(error.details?.causes?.length, 2);
    });
  });

  it("list items merge by key: another manager's container survives an apply without it", () => {
    const live = stored(apply({ applied: config() }).object);
    const withSidecar = update(live, "injector", (spec) => {
      ((spec.template as { spec: { containers: unknown[] } }).spec.containers).push({ name: "sidecar", image: "proxy" });
    });
    const { object } = apply({ live: withSidecar, applied: config({ image: "x:v2" }), now: T1 });
    const containers = (object.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers;
    assert.deepEqual(containers, [{ name: "api-server", image: "x:v2" }, { name: "sidecar", image: "proxy" }]);
  });

  it("a container the applier no longer applies is removed", () => {
    const two = [{ name: "api-server", image: "x:v1" }, { name: "worker", image: "w:v1" }];
    const live = stored(apply({ applied: config({ containers: two }) }).object);
    const { object } = apply({ live, applied: config({ containers: [{ name: "api-server", image: "x:v1" }] }) });
    const containers = (object.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers;
    assert.deepEqual(containers.map((c) => c.name), ["api-server"]);
  });

  it("shared items follow the applied order while other managers' items keep their place", () => {
    const names = (object: KubeObject) =>
      (object.spec as { template: { spec: { containers: Array<{ name: string }> } } }).template.spec.containers.map((c) => c.name);
    const c = (name: string) => ({ name, image: `${name}:v1` });
    const live = stored(apply({ applied: config({ containers: [c("a"), c("c")] }) }).object);
    const injected = update(live, "injector", (spec) => {
      ((spec.template as { spec: { containers: unknown[] } }).spec.containers).splice(1, 0, c("b"));
    });
    assert.deepEqual(names(injected), ["a", "b", "c"]);
    const { object } = apply({ live: injected, applied: config({ containers: [c("c"), c("a"), c("d")] }), now: T1 });
    assert.deepEqual(names(object), ["b", "c", "a", "d"]);
  });

  it("set items are owned by value", () => {
    const applied = { ...config(), metadata: { name: "web", finalizers: ["example.com/a", "example.com/b"] } };
    const { object } = apply({ applied });
    assert.deepEqual(fieldsOf(object, "mgr-a")?.["f:metadata"], { "f:finalizers": { 'v:"example.com/a"': {}, 'v:"example.com/b"': {} } });
  });

  it("without a schema (custom resources) maps are granular and lists atomic", () => {
    const widget = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec });
    const options = { apiVersion: "example.com/v1", schema: undefined };
    const live = stored(apply({ ...options, applied: widget({ size: 1, items: ["a", "b"] }) }).object);
    assert.deepEqual(fieldsOf(live, "mgr-a"), { "f:spec": { ".": {}, "f:items": {}, "f:size": {} } });
    const { object } = apply({ ...options, live, applied: widget({ color: "red" }), manager: "mgr-b" });
    assert.deepEqual(object.spec, { size: 1, items: ["a", "b"], color: "red" });
  });

  it("fields the endpoint resets (status on the main resource) are not owned", () => {
    const applied = { ...config({ replicas: 1 }), status: {} };
    const { object } = apply({ applied, ignoredFields: [["status"]] });
    assert.equal(fieldsOf(object, "mgr-a")?.["f:status"], undefined);
    assert.deepEqual(specFieldsOf(object, "mgr-a")?.["f:replicas"], {});
  });

  it("an object nobody tracked is first attributed to before-first-apply", () => {
    const untracked = stored({ ...config({ replicas: 2 }), status: {} });
    const { object } = apply({ live: untracked, applied: config({ replicas: 2 }) });
    assert.deepEqual(managers(object), ["mgr-a/Apply", "before-first-apply/Update"]);
    expectStatus(() => apply({ live: untracked, applied: config({ replicas: 3 }) }), 409, (error) => {
      assert.match(error.message, /conflict with "before-first-apply" using apps\/v1: \.spec\.replicas/);
    });
  });

  it("kubectl --server-side takes over fields its last client-side apply set, and updates the annotation", () => {
    const clientSide = config({ replicas: 2 });
    const annotated = { ...clientSide, metadata: { ...clientSide.metadata, annotations: { [LAST_APPLIED]: JSON.stringify(clientSide) } } };
    const live = stored(updateManagedFields({ live: undefined, updated: annotated, manager: "kubectl-client-side-apply", apiVersion: "apps/v1", schema, registry, now: T0 }));
    const { object } = apply({ live, applied: config({ replicas: 3 }), manager: "kubectl", now: T1 });
    assert.equal((object.spec as Record<string, unknown>).replicas, 3);
    assert.deepEqual(JSON.parse(object.metadata?.annotations?.[LAST_APPLIED] ?? "null"), config({ replicas: 3 }));
    assert.deepEqual(specFieldsOf(object, "kubectl")?.["f:replicas"], {});
  });

  it("other managers get no such migration", () => {
    const clientSide = config({ replicas: 2 });
    const annotated = { ...clientSide, metadata: { ...clientSide.metadata, annotations: { [LAST_APPLIED]: JSON.stringify(clientSide) } } };
    const live = stored(updateManagedFields({ live: undefined, updated: annotated, manager: "kubectl-client-side-apply", apiVersion: "apps/v1", schema, registry, now: T0 }));
    expectStatus(() => apply({ live, applied: config({ replicas: 3 }), manager: "helm" }), 409, () => {});
  });

  it("rejects a configuration of another version or kind (400)", () => {
    expectStatus(() => apply({ applied: { ...config(), apiVersion: "apps/v1beta2" } }), 400, (error) => {
      assert.equal(error.message, "invalid object type: apps/v1beta2, Kind=Deployment");
    });
  });

  it("rejects a configuration that sets managedFields (400)", () => {
    const applied = { ...config(), metadata: { name: "web", managedFields: [] } };
    expectStatus(() => apply({ applied }), 400, (error) => assert.equal(error.message, "metadata.managedFields must be nil"));
  });

  it("does not mutate the live object or the configuration", () => {
    const live = stored(apply({ applied: config({ replicas: 2 }) }).object);
    const applied = config({ replicas: 2, image: "x:v9" });
    const liveBefore = structuredClone(live);
    const appliedBefore = structuredClone(applied);
    apply({ live, applied, force: true });
    assert.deepEqual(live, liveBefore);
    assert.deepEqual(applied, appliedBefore);
  });
});
