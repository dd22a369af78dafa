// The create walk (created-fields.ts) against the general comparison it stands in for: for every
// object here, both must give the same fieldsV1, key order included; objects the walk does not
// model must come back undefined.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { createdFieldsV1 } from "../../../src/api/patch/created-fields.js";
import { emptyObjectLike } from "../../../src/api/patch/empty-object.js";
import { TypeResolver } from "../../../src/api/patch/field-type.js";
import { recordUpdate, SERVER_MANAGED_FIELDS } from "../../../src/api/patch/managed-fields.js";
import { encodeManagedFields } from "../../../src/api/patch/managers.js";
import type { JsonObject } from "../../../src/api/patch/json-value.js";
import { defaultPod } from "../../../src/api/resources/pod-defaults.js";
import { builtinSchemas } from "../../../src/api/schema.js";

const registry = builtinSchemas();
const types = new TypeResolver(registry);

function schemaOf(object: JsonObject) {
  const [group, version] = String(object.apiVersion).includes("/") ? String(object.apiVersion).split("/") : ["", String(object.apiVersion)];
  return registry.forKind({ group: group ?? "", version: version ?? "", kind: String(object.kind) });
}

/** The general path: compare against the empty object, then drop the server's fields. */
function general(object: JsonObject): JsonObject {
  const schema = schemaOf(object);
  const managers = recordUpdate(new Map(), {
    live: emptyObjectLike(schema, registry),
    updated: object,
    info: { manager: "m", operation: "Update", apiVersion: "v1" },
    type: types.typeOf(schema),
    types,
    now: new Date(0),
  });
  return encodeManagedFields(managers)?.[0]?.fieldsV1 ?? {};
}

function fast(object: JsonObject): JsonObject | undefined {
  const schema = schemaOf(object);
  return createdFieldsV1(object, emptyObjectLike(schema, registry), types.typeOf(schema), types);
}

function assertSame(object: JsonObject): void {
  const expected = general(object);
  const actual = fast(object);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
}

function pod(): JsonObject {
  const object: JsonObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "u", creationTimestamp: "2024-01-01T00:00:00Z", labels: { app: "a", tier: "b" }, annotations: {}, finalizers: ["x/y", "a/b"] },
    spec: {
      containers: [
        { name: "c", image: "nginx", ports: [{ containerPort: 80 }, { containerPort: 53, protocol: "UDP" }], env: [{ name: "B", value: "1" }, { name: "A", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }], resources: { requests: { cpu: "100m" }, limits: {} } },
        { name: "b", image: "busybox", command: ["sh", "-c", "sleep 1"], securityContext: { runAsNonRoot: true } },
      ],
      nodeSelector: { disk: "ssd" },
      tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule" }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }] } } },
      volumes: [
        { name: "kube-api-access-abcde", projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: "token" } }, { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } }] } },
        { name: "data", emptyDir: {} },
      ],
    },
    status: { phase: "Pending", qosClass: "Burstable" },
  };
  defaultPod(object);
  return object;
}

describe("the fieldsV1 of a create, walked directly", () => {
  it("matches the general comparison for a defaulted pod with lists, sets, maps and empty containers", () => {
    assertSame(pod());
  });

  it("matches it for every manifest of the article", () => {
    for (const file of ["deployment.yaml", "hpa.yaml", "networkpolicy.yaml", "pvc.yaml", "require-non-root.yaml"]) {
      const text = readFileSync(resolve("../shared/examples", file), "utf8");
      for (const doc of parseAllDocuments(text)) {
        const object = doc.toJSON() as JsonObject | null;
        if (object) assertSame(object);
      }
    }
  });

  it("matches it for kinds without a schema, nulls, empty lists and a Service's ports keyed with the default protocol", () => {
    assertSame({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { a: { b: [1, 2] }, c: null, d: {}, e: [] } });
    assertSame({ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { selector: { app: "a" }, ports: [{ port: 80, targetPort: 8080 }, { port: 53, protocol: "UDP" }], clusterIPs: [] } });
    assertSame({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: {} }, data: { a: "1" }, binaryData: {} });
  });

  it("leaves out properties whose value is undefined, as their JSON does", () => {
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: undefined }, data: { a: "1", b: undefined } };
    assert.equal(JSON.stringify(fast(object)), JSON.stringify({ "f:data": { ".": {}, "f:a": {} } }));
    assertSame(object);
  });

  it("never gives the server's own metadata to the writer", () => {
    const fields = fast(pod());
    const metadata = fields?.["f:metadata"] as JsonObject;
    for (const path of SERVER_MANAGED_FIELDS.paths()) {
      const [first, second] = path.map((element) => ("field" in element ? `f:${element.field}` : ""));
      if (second) assert.equal(metadata[second], undefined, second);
      else if (first !== "f:metadata") assert.equal(fields?.[first ?? ""], undefined, first);
    }
  });

  it("hands duplicated list items and items without their keys to the general path", () => {
    assert.equal(fast({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }, { name: "c" }] } }), undefined);
    assert.equal(fast({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ image: "x" }] } }), undefined);
  });
});
