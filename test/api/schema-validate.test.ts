// Decoding checks against the real v1.32 Deployment, Pod, Service and Secret schemas: type errors worded
// as upstream's JSON decoder, unknown fields as JSON paths, and the 400 Statuses built from them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builtinSchemas, type GroupVersionKind } from "../../src/api/schema.js";
import { ERR_FORMAT_WRONG } from "../../src/api/quantity.js";
import {
  decodeErrorStatus, stripUnknownFields, strictDecodingStatus, validateAgainstSchema, type FieldValidation,
} from "../../src/api/validation/schema-validate.js";

const registry = builtinSchemas();
const DEPLOYMENT: GroupVersionKind = { group: "apps", version: "v1", kind: "Deployment" };
const POD: GroupVersionKind = { group: "", version: "v1", kind: "Pod" };
const SERVICE: GroupVersionKind = { group: "", version: "v1", kind: "Service" };
const SECRET: GroupVersionKind = { group: "", version: "v1", kind: "Secret" };
const EVENT: GroupVersionKind = { group: "events.k8s.io", version: "v1", kind: "Event" };

function check(gvk: GroupVersionKind, obj: unknown, fieldValidation: FieldValidation = "Strict") {
  const schema = registry.forKind(gvk);
  assert.ok(schema, `${gvk.kind} is served`);
  return validateAgainstSchema(obj, schema, registry, { fieldValidation });
}

function deployment(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec };
}

const validDeployment = deployment({
  replicas: 3,
  selector: { matchLabels: { app: "web" } },
  strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } },
  template: {
    metadata: { labels: { app: "web" }, creationTimestamp: null },
    spec: { containers: [{ name: "web", image: "nginx", ports: [{ containerPort: 80 }], resources: { limits: { cpu: "500m", memory: 1073741824 } } }] },
  },
});

test("a valid deployment has no type errors and no unknown fields", () => {
  assert.deepEqual(check(DEPLOYMENT, validDeployment), { typeErrors: [], decodeError: undefined, unknownFields: [] });
  assert.deepEqual(check(POD, { metadata: { name: "p", managedFields: [{ fieldsV1: { "f:a": {} } }] }, spec: { containers: [] } }).typeErrors, []);
});

test("type mismatches are worded as upstream's decoder words them", () => {
  const cases: [GroupVersionKind, unknown, string][] = [
    [DEPLOYMENT, deployment({ replicas: "3" }), "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"],
    [DEPLOYMENT, deployment({ replicas: 1.5 }), "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"],
    [DEPLOYMENT, deployment({ replicas: 3000000000 }), "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32"],
    [DEPLOYMENT, deployment({ paused: "yes" }), "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool"],
    [DEPLOYMENT, { spec: "x" }, "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec"],
    [DEPLOYMENT, { spec: [] }, "json: cannot unmarshal array into Go struct field Deployment.spec of type v1.DeploymentSpec"],
    [DEPLOYMENT, deployment({ template: { spec: { containers: {} } } }), "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"],
    [DEPLOYMENT, deployment({ template: { spec: { containers: [{ name: 5 }] } } }), "json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.name of type string"],
    [DEPLOYMENT, deployment({ template: { spec: { containers: [{ ports: [{ containerPort: "80" }] }] } } }), "json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32"],
    [DEPLOYMENT, { metadata: { labels: { a: 1 } } }, "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"],
    [DEPLOYMENT, { metadata: { labels: ["a"] } }, "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string"],
    [DEPLOYMENT, { metadata: { generation: "1" } }, "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.generation of type int64"],
    [POD, { spec: { containers: [{ command: "sh" }] } }, "json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string"],
    [POD, { spec: { containers: [{ stdin: 1 }] } }, "json: cannot unmarshal number into Go struct field Container.spec.containers.stdin of type bool"],
    [SERVICE, { spec: { ports: [{ port: true }] } }, "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.port of type int32"],
    [DEPLOYMENT, [], "json: cannot unmarshal array into Go value of type v1.Deployment"],
  ];
  for (const [gvk, obj, message] of cases) {
    const result = check(gvk, obj);
    assert.deepEqual(result.typeErrors, [message], JSON.stringify(obj));
    assert.equal(result.decodeError, message);
  }
});

test("int-or-string, quantity and time fields use their own decoders' errors", () => {
  const cases: [GroupVersionKind, unknown, string][] = [
    [DEPLOYMENT, deployment({ strategy: { rollingUpdate: { maxSurge: true } } }), "json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32"],
    [DEPLOYMENT, deployment({ strategy: { rollingUpdate: { maxSurge: 1.5 } } }), "json: cannot unmarshal number 1.5 into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32"],
    [POD, { spec: { containers: [{ resources: { limits: { cpu: "abc" } } }] } }, ERR_FORMAT_WRONG],
    [POD, { spec: { containers: [{ resources: { requests: { memory: "1Gb" } } }] } }, ERR_FORMAT_WRONG],
    [POD, { spec: { containers: [{ resources: { requests: { cpu: "1i" } } }] } }, "unable to parse quantity's suffix"],
    [POD, { spec: { overhead: { cpu: {} } } }, ERR_FORMAT_WRONG],
    [POD, { metadata: { creationTimestamp: 5 } }, "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string"],
    [POD, { metadata: { creationTimestamp: "yesterday" } }, 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
    [POD, { metadata: { creationTimestamp: "2024-13-01T00:00:00Z" } }, 'parsing time "2024-13-01T00:00:00Z": month out of range'],
    [POD, { metadata: { creationTimestamp: "2024-02-30T00:00:00Z" } }, 'parsing time "2024-02-30T00:00:00Z": day out of range'],
    [POD, { metadata: { creationTimestamp: "2024-01-01 00:00:00Z" } }, 'parsing time "2024-01-01 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T"'],
    [POD, { metadata: { creationTimestamp: "2024-01-01T00:00:00" } }, 'parsing time "2024-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'],
    [POD, { metadata: { creationTimestamp: "2024-01-01T00:00:00Zx" } }, 'parsing time "2024-01-01T00:00:00Zx": extra text: "x"'],
    [POD, { metadata: { creationTimestamp: "2024-01-01T25:00:00Z" } }, 'parsing time "2024-01-01T25:00:00Z": hour out of range'],
    [EVENT, { eventTime: "2024-01-01T00:00:00Z" }, 'parsing time "2024-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"'],
  ];
  for (const [gvk, obj, message] of cases) assert.deepEqual(check(gvk, obj).typeErrors, [message], JSON.stringify(obj));
  for (const ok of ["2024-01-01T00:00:00Z", "2024-02-29T23:59:59.123456789+05:30", "2024-01-01T00:00:00-00:00"]) {
    assert.deepEqual(check(POD, { metadata: { creationTimestamp: ok } }).typeErrors, [], ok);
  }
  assert.deepEqual(check(EVENT, { eventTime: "2024-01-01T00:00:00.000001Z" }).typeErrors, []);
  assert.deepEqual(check(POD, { spec: { containers: [{ resources: { limits: { cpu: 0.5, memory: " 1Gi " } } }] } }).typeErrors, []);
});

test("byte fields take base64 strings and report Go's corrupt-input position", () => {
  const cases: [unknown, string[]][] = [
    [{ data: { a: "aGVsbG8=", b: "aGk=", c: "", d: "aGVs\nbG8=" } }, []],
    [{ data: { a: "abc" } }, ["illegal base64 data at input byte 0"]],
    [{ data: { a: "aGVsbG8" } }, ["illegal base64 data at input byte 4"]],
    [{ data: { a: "aGV*bG8=" } }, ["illegal base64 data at input byte 3"]],
    [{ data: { a: "aG==x" } }, ["illegal base64 data at input byte 4"]],
    [{ data: { a: "a===" } }, ["illegal base64 data at input byte 1"]],
    [{ data: { a: 5 } }, ["json: cannot unmarshal number into Go struct field Secret.data of type []uint8"]],
    [{ data: { a: [104, 300] } }, ["json: cannot unmarshal number 300 into Go struct field Secret.data of type uint8"]],
  ];
  for (const [obj, errors] of cases) assert.deepEqual(check(SECRET, obj).typeErrors, errors, JSON.stringify(obj));
});

test("upstream reports the first error that stops its decoder, else the first error", () => {
  const obj = deployment({ replicas: "3", template: { spec: { containers: [{ resources: { limits: { cpu: "x" } } }] } }, minReadySeconds: "1" });
  const result = check(DEPLOYMENT, obj);
  assert.equal(result.typeErrors.length, 3);
  assert.equal(result.decodeError, ERR_FORMAT_WRONG);
  assert.equal(check(DEPLOYMENT, deployment({ replicas: "3", paused: 1 })).decodeError, "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
});

test("unknown fields are reported as JSON paths with list indexes and map keys", () => {
  const obj = {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", nmae: "x" }, Spec: {},
    spec: {
      replicass: 3,
      template: { spec: { containers: [{ name: "a" }, { name: "b", imagee: "nginx", ports: [{ containerPort: 80, hostPortt: 1 }] }] } },
      selector: { matchLabels: { "any.key/is-fine": "v" }, matchExpression: [] },
    },
  };
  assert.deepEqual(check(DEPLOYMENT, obj).unknownFields, [
    "metadata.nmae", "Spec", "spec.replicass",
    "spec.template.spec.containers[1].imagee", "spec.template.spec.containers[1].ports[0].hostPortt",
    "spec.selector.matchExpression",
  ]);
  assert.deepEqual(check(DEPLOYMENT, obj, "Warn").unknownFields.length, 6);
  assert.deepEqual(check(DEPLOYMENT, obj, "Ignore").unknownFields, []);
  assert.deepEqual(check(DEPLOYMENT, { metadata: { constructor: 1, toString: 2 } }).unknownFields, ["metadata.constructor", "metadata.toString"]);
});

test("opaque types accept anything and only the first hundred unknown fields are kept", () => {
  const revision = { apiVersion: "apps/v1", kind: "ControllerRevision", revision: 1, data: { anything: { goes: [1, "x"] } } };
  assert.deepEqual(check({ group: "apps", version: "v1", kind: "ControllerRevision" }, revision), { typeErrors: [], decodeError: undefined, unknownFields: [] });
  const many = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`f${i}`, i]));
  assert.equal(check(POD, { spec: many }).unknownFields.length, 100);
});

test("stripping unknown fields keeps what upstream's typed decoding keeps and shares the rest", () => {
  const schema = registry.forKind(DEPLOYMENT);
  assert.ok(schema);
  const obj = {
    metadata: { name: "x", foo: 1, labels: { keep: "me" } },
    spec: { replicass: 1, selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [{ name: "a", imagee: 1 }, { name: "b" }] } } },
    status: { replicas: 1 },
  };
  const stripped = stripUnknownFields(obj, schema, registry);
  assert.deepEqual(stripped, {
    metadata: { name: "x", labels: { keep: "me" } },
    spec: { selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [{ name: "a" }, { name: "b" }] } } },
    status: { replicas: 1 },
  });
  assert.equal(stripped.status, obj.status);
  assert.equal(stripped.spec.selector, obj.spec.selector);
  assert.equal(stripped.spec.template.spec.containers[1], obj.spec.template.spec.containers[1]);
  assert.equal(obj.spec.replicass, 1, "the input is not mutated");
  assert.equal(stripUnknownFields(validDeployment, schema, registry), validDeployment);
});

test("decode and strict errors become upstream's 400 Statuses", () => {
  const decode = decodeErrorStatus("Deployment", "apps/v1", "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
  assert.equal(decode.code, 400);
  assert.equal(decode.reason, "BadRequest");
  assert.equal(decode.message, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(decodeErrorStatus("Pod", "v1", "x").message, 'Pod in version "v1" cannot be handled as a Pod: x');
  const strict = strictDecodingStatus(["spec.foo", "spec.bar"]);
  assert.equal(strict.code, 400);
  assert.equal(strict.message, 'strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
  assert.equal(
    strictDecodingStatus(["spec.replicass"], { kind: "Deployment", apiVersion: "apps/v1" }).toStatus().message,
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicass"',
  );
  assert.equal(strictDecodingStatus(['metadata.labels.a"b']).message, 'strict decoding error: unknown field "metadata.labels.a\\"b"');
});
