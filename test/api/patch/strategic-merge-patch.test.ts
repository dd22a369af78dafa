// Strategic merge patch on built-in kinds, with patches shaped as kubectl sends them (client-side
// apply's 3-way patches, `kubectl patch`, `kubectl edit`), and its errors.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { strategicMergePatch } from "../../../src/api/patch/strategic-merge-patch.js";
import { builtinSchemas } from "../../../src/api/schema.js";
import { StatusError } from "../../../src/api/errors.js";
import type { JsonObject } from "../../../src/api/patch/json-value.js";

const registry = builtinSchemas();
const deploymentSchema = registry.forKind({ group: "apps", version: "v1", kind: "Deployment" });
const pdbSchema = registry.forKind({ group: "policy", version: "v1", kind: "PodDisruptionBudget" });

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

function deployment(): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { app: "web", tier: "frontend" }, finalizers: ["example.com/a", "example.com/b"] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "api-server", image: "x:v1", args: ["--port=8080", "--verbose"],
              ports: [{ containerPort: 8080, protocol: "TCP" }],
              env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
            },
            { name: "sidecar", image: "proxy:v1" },
          ],
          volumes: [{ name: "cache", emptyDir: {} }],
          tolerations: [{ key: "k", operator: "Exists" }],
        },
      },
    },
    status: { conditions: [{ type: "Available", status: "True" }, { type: "Progressing", status: "True" }] },
  };
}

type Pick = (object: JsonObject) => unknown;
const at = (...path: Array<string | number>): Pick => (object) =>
  path.reduce<unknown>((value, key) => (value as Record<string | number, unknown> | undefined)?.[key], object);
const podSpec = at("spec", "template", "spec");
const containers = at("spec", "template", "spec", "containers");
const apiServer = at("spec", "template", "spec", "containers", 0);

interface Case {
  name: string;
  patch: JsonObject;
  pick: Pick;
  expected: unknown;
  original?: JsonObject;
  schema?: typeof deploymentSchema;
}

const cases: Case[] = [
  {
    name: "kubectl apply's 3-way patch changes a container's image by its merge key",
    patch: {
      metadata: { annotations: { [LAST_APPLIED]: "{\"apiVersion\":\"apps/v1\"}\n" } },
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "api-server" }, { name: "sidecar" }], containers: [{ image: "x:v2", name: "api-server" }] } } },
    },
    pick: (o) => [at("metadata", "annotations")(o), apiServer(o), at("spec", "template", "spec", "containers", 1)(o)],
    expected: [
      { [LAST_APPLIED]: "{\"apiVersion\":\"apps/v1\"}\n" },
      { name: "api-server", image: "x:v2", args: ["--port=8080", "--verbose"], ports: [{ containerPort: 8080, protocol: "TCP" }], env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] },
      { name: "sidecar", image: "proxy:v1" },
    ],
  },
  {
    name: "the patch from the task brief keeps the other containers and fields",
    patch: { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "api-server" }], containers: [{ image: "x:v2", name: "api-server" }] } } } },
    pick: (o) => (containers(o) as JsonObject[]).map((c) => [c.name, c.image]),
    expected: [["api-server", "x:v2"], ["sidecar", "proxy:v1"]],
  },
  {
    name: "an env var is added to one container and merged by name",
    patch: { spec: { template: { spec: { containers: [{ name: "api-server", env: [{ name: "C", value: "3" }, { name: "A", value: "one" }] }] } } } },
    pick: at("spec", "template", "spec", "containers", 0, "env"),
    expected: [{ name: "C", value: "3" }, { name: "A", value: "one" }, { name: "B", value: "2" }],
  },
  {
    name: "kubectl apply removes an env var with $patch: delete and keeps the order it was given",
    patch: { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "api-server" }, { name: "sidecar" }], containers: [{ "$setElementOrder/env": [{ name: "A" }], env: [{ $patch: "delete", name: "B" }], name: "api-server" }] } } } },
    pick: at("spec", "template", "spec", "containers", 0, "env"),
    expected: [{ name: "A", value: "1" }],
  },
  {
    name: "$patch: delete removes a whole container",
    patch: { spec: { template: { spec: { containers: [{ name: "sidecar", $patch: "delete" }] } } } },
    pick: (o) => (containers(o) as JsonObject[]).map((c) => c.name),
    expected: ["api-server"],
  },
  {
    name: "$setElementOrder puts a new container where the order list says",
    patch: { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "sidecar" }, { name: "init" }, { name: "api-server" }], containers: [{ name: "init", image: "busybox" }] } } } },
    pick: (o) => (containers(o) as JsonObject[]).map((c) => c.name),
    expected: ["sidecar", "init", "api-server"],
  },
  {
    name: "without $setElementOrder a new container comes first, as upstream orders it",
    patch: { spec: { template: { spec: { containers: [{ name: "init", image: "busybox" }] } } } },
    pick: (o) => (containers(o) as JsonObject[]).map((c) => c.name),
    expected: ["init", "api-server", "sidecar"],
  },
  {
    name: "$retainKeys on the strategy switches to Recreate and clears rollingUpdate",
    patch: { spec: { strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: null } } },
    pick: at("spec", "strategy"),
    expected: { type: "Recreate" },
  },
  {
    name: "$retainKeys clears members the patch does not mention",
    patch: { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
    pick: at("spec", "strategy"),
    expected: { type: "Recreate" },
  },
  {
    name: "a volume switches source with $retainKeys (merge,retainKeys list items)",
    patch: { spec: { template: { spec: { volumes: [{ name: "cache", $retainKeys: ["configMap", "name"], configMap: { name: "cfg" } }] } } } },
    pick: at("spec", "template", "spec", "volumes"),
    expected: [{ name: "cache", configMap: { name: "cfg" } }],
  },
  {
    name: "$deleteFromPrimitiveList removes a finalizer",
    patch: { metadata: { "$deleteFromPrimitiveList/finalizers": ["example.com/a"] } },
    pick: at("metadata", "finalizers"),
    expected: ["example.com/b"],
  },
  {
    name: "finalizers merge as a set of primitives",
    patch: { metadata: { finalizers: ["example.com/b", "example.com/c"] } },
    pick: at("metadata", "finalizers"),
    expected: ["example.com/a", "example.com/b", "example.com/c"],
  },
  {
    name: "$setElementOrder orders a primitive list",
    patch: { metadata: { "$setElementOrder/finalizers": ["example.com/b", "example.com/a"] } },
    pick: at("metadata", "finalizers"),
    expected: ["example.com/b", "example.com/a"],
  },
  {
    name: "null deletes a label and leaves the others",
    patch: { metadata: { labels: { tier: null, env: "prod" } } },
    pick: at("metadata", "labels"),
    expected: { app: "web", env: "prod" },
  },
  {
    name: "args, a list without a merge strategy, are replaced",
    patch: { spec: { template: { spec: { containers: [{ name: "api-server", args: ["--port=9090"] }] } } } },
    pick: at("spec", "template", "spec", "containers", 0, "args"),
    expected: ["--port=9090"],
  },
  {
    name: "tolerations (atomic) are replaced",
    patch: { spec: { template: { spec: { tolerations: [{ key: "other", operator: "Exists" }] } } } },
    pick: at("spec", "template", "spec", "tolerations"),
    expected: [{ key: "other", operator: "Exists" }],
  },
  {
    name: "ports merge by containerPort",
    patch: { spec: { template: { spec: { containers: [{ name: "api-server", ports: [{ containerPort: 9090, name: "metrics" }, { containerPort: 8080, name: "http" }] }] } } } },
    pick: at("spec", "template", "spec", "containers", 0, "ports"),
    expected: [{ containerPort: 9090, name: "metrics" }, { containerPort: 8080, protocol: "TCP", name: "http" }],
  },
  {
    name: "status conditions merge by type",
    patch: { status: { conditions: [{ type: "Progressing", status: "False", reason: "Stuck" }] } },
    pick: at("status", "conditions"),
    expected: [{ type: "Available", status: "True" }, { type: "Progressing", status: "False", reason: "Stuck" }],
  },
  {
    name: "$patch: replace on a map replaces it whole",
    patch: { spec: { template: { metadata: { labels: { $patch: "replace", app: "web2" } } } } },
    pick: at("spec", "template", "metadata", "labels"),
    expected: { app: "web2" },
  },
  {
    name: "$patch: replace in a list replaces the list with the other items",
    patch: { spec: { template: { spec: { containers: [{ $patch: "replace" }, { name: "only", image: "o" }] } } } },
    pick: containers,
    expected: [{ name: "only", image: "o" }],
  },
  {
    name: "$patch: delete on a map empties it",
    patch: { spec: { strategy: { $patch: "delete" } } },
    pick: at("spec", "strategy"),
    expected: {},
  },
  {
    name: "new values are added without their nulls or directives",
    patch: { spec: { template: { spec: { nodeSelector: { disk: "ssd", gpu: null }, containers: [{ name: "new", image: "n", env: [{ name: "X", valueFrom: null }] }] } } } },
    pick: (o) => [at("spec", "template", "spec", "nodeSelector")(o), at("spec", "template", "spec", "containers", 0)(o)],
    expected: [{ disk: "ssd" }, { name: "new", image: "n", env: [{ name: "X" }] }],
  },
  {
    name: "a PodDisruptionBudget selector (patch strategy replace) is replaced, not merged",
    original: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", spec: { selector: { matchLabels: { app: "a" }, matchExpressions: [{ key: "k", operator: "Exists" }] } } },
    schema: pdbSchema,
    patch: { spec: { selector: { matchLabels: { app: "b" } } } },
    pick: at("spec", "selector"),
    expected: { matchLabels: { app: "b" } },
  },
  {
    name: "without a schema (custom resources) maps merge, lists are replaced and null deletes",
    original: { apiVersion: "example.com/v1", kind: "Widget", spec: { items: [{ name: "a" }, { name: "b" }], size: 1, color: "red" } },
    schema: undefined,
    patch: { spec: { items: [{ name: "c" }], color: null, shape: "round" } },
    pick: at("spec"),
    expected: { items: [{ name: "c" }], size: 1, shape: "round" },
  },
  {
    name: "a field of a different type is replaced by the patch value",
    patch: { spec: { replicas: "3" } },
    pick: at("spec", "replicas"),
    expected: "3",
  },
  {
    name: "an untouched pod spec stays as it was",
    patch: { spec: { replicas: 5 } },
    pick: podSpec,
    expected: podSpec(deployment()),
  },
];

interface ErrorCase {
  name: string;
  patch: unknown;
  code: number;
  message: string | RegExp;
}

const errorCases: ErrorCase[] = [
  { name: "a merge-list item without its merge key", patch: { spec: { template: { spec: { containers: [{ image: "x" }] } } } }, code: 400, message: 'map: {"image":"x"} does not contain declared merge key: name' },
  { name: "an unknown $patch directive in a map", patch: { spec: { strategy: { $patch: "frobnicate" } } }, code: 400, message: /^unknown patch type: frobnicate in map/ },
  { name: "$patch: merge in a list", patch: { spec: { template: { spec: { containers: [{ name: "x", $patch: "merge" }] } } } }, code: 400, message: "merging lists cannot yet be specified in the patch" },
  { name: "a field missing from $retainKeys", patch: { spec: { strategy: { $retainKeys: ["type"], type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } }, code: 400, message: "invalid patch format of retainKeys" },
  { name: "a $setElementOrder list that disagrees with the patch list", patch: { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "sidecar" }], containers: [{ name: "api-server", image: "x" }] } } } }, code: 400, message: /doesn't match \$setElementOrder list/ },
  { name: "a malformed parallel list key", patch: { metadata: { $deleteFromPrimitiveListfinalizers: ["a"] } }, code: 400, message: "invalid patch format of primitive list" },
  { name: "a list of lists in a merge list", patch: { metadata: { finalizers: [["a"]] } }, code: 422, message: "lists of lists are not supported" },
  { name: "a patch that is not an object", patch: ["a"], code: 400, message: /invalid JSON document/ },
];

describe("strategic merge patch", () => {
  for (const c of cases) {
    it(c.name, () => {
      const schema = Object.hasOwn(c, "schema") ? c.schema : deploymentSchema;
      const result = strategicMergePatch(c.original ?? deployment(), c.patch, schema, registry);
      assert.deepEqual(c.pick(result), c.expected);
    });
  }

  for (const c of errorCases) {
    it(`rejects ${c.name} (${c.code})`, () => {
      assert.throws(() => strategicMergePatch(deployment(), c.patch, deploymentSchema, registry), (error: unknown) => {
        assert.ok(error instanceof StatusError);
        assert.equal(error.code, c.code);
        if (typeof c.message === "string") assert.equal(error.message, c.message);
        else assert.match(error.message, c.message);
        return true;
      });
    });
  }

  it("does not mutate the original or the patch", () => {
    const original = deployment();
    const patch = { metadata: { labels: { tier: null } }, spec: { strategy: { $retainKeys: ["type"], type: "Recreate" }, template: { spec: { "$setElementOrder/containers": [{ name: "sidecar" }, { name: "api-server" }], containers: [{ name: "api-server", env: [{ name: "A", $patch: "delete" }] }] } } } };
    const originalBefore = structuredClone(original);
    const patchBefore = structuredClone(patch);
    const result = strategicMergePatch(original, patch, deploymentSchema, registry);
    assert.deepEqual(original, originalBefore);
    assert.deepEqual(patch, patchBefore);
    assert.deepEqual((containers(result) as JsonObject[]).map((c) => c.name), ["sidecar", "api-server"]);
  });
});
