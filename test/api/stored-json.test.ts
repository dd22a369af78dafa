// The watch cache's JSON for a stored value is exactly what decoding it and encoding it again gives;
// dropping managedFields from it is exactly what deleting them from the decoded object gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isStoredJsonWithResourceVersion, jsonWithoutManagedFields, storedJsonWithResourceVersion } from "../../src/api/stored-json.js";
import { decodeFromStorage, encodeForStorage } from "../../src/api/stored-object.js";
import type { KubeObject } from "../../src/api/resource.js";

const objects: Array<[string, unknown]> = [
  ["a pod with metadata first", { metadata: { name: "p", namespace: "default", labels: { app: "x" } }, spec: { containers: [{ name: "c" }] } }],
  ["metadata after a spec holding a template's metadata", { kind: "Deployment", spec: { template: { metadata: { labels: { a: "b" } } } }, metadata: { name: "d" } }],
  ["empty metadata", { kind: "ConfigMap", metadata: {}, data: { a: "1" } }],
  ["strings with quotes, braces and escapes", { metadata: { name: "q", annotations: { "x": '{"metadata":{"}":"\\"', y: "\u2028é\n" } }, data: { "k": "}]" } }],
  ["strings ending in backslashes", { metadata: { name: "b", annotations: { z: "ends with \\", w: "\\\"\\" } }, spec: { s: "\\" } }],
  ["metadata with managedFields and arrays", { metadata: { name: "m", finalizers: ["a", "b"], managedFields: [{ manager: "m", fieldsV1: { "f:spec": { ".": {} } } }] }, status: {} }],
  ["numbers, booleans and null in metadata", { metadata: { generation: 3, deletionGracePeriodSeconds: 0, x: null, y: true, z: -1.5e30, managedFields: [{ n: 1 }], w: false } }],
  ["a resourceVersion sent with the object", { metadata: { name: "r", resourceVersion: "7" }, spec: {} }],
];

for (const [what, obj] of objects) {
  test(`stored JSON with its resourceVersion equals decoding and encoding: ${what}`, () => {
    const value = encodeForStorage(obj as KubeObject);
    assert.equal(storedJsonWithResourceVersion(value, 42), JSON.stringify(decodeFromStorage(value, 42)));
  });
}

test("values without a metadata object are left to the encoder", () => {
  for (const value of ['{"kind":"X"}', '{"metadata":null}', '{"metadata":"x","spec":{"metadata":{}}}', "[]", '{"metadata":{"resourceVersion":"3"}}']) {
    assert.equal(storedJsonWithResourceVersion(value, 5), undefined, value);
  }
});

const withManagedFields: Array<[string, unknown]> = [
  ...objects,
  ["managedFields first in metadata", { metadata: { managedFields: [{ manager: "a", fieldsV1: { "f:metadata": { "f:labels": {} } } }], name: "f" }, spec: {} }],
  ["managedFields alone in metadata", { kind: "X", metadata: { managedFields: [] } }],
  ["managedFields in the middle, with brackets in strings", { metadata: { name: "m", managedFields: [{ manager: "]}[{", fieldsV1: { "k:{\"name\":\"x\"}": {} } }], labels: { a: "b" } } }],
  ["an annotation and a spec field named managedFields", { metadata: { name: "a", annotations: { managedFields: "[1]" }, managedFields: [{ manager: "m" }] }, spec: { managedFields: [1, 2] } }],
  ["a template's metadata before the object's", { spec: { template: { metadata: { managedFields: [{ manager: "t" }] } } }, metadata: { name: "d", managedFields: [{ manager: "m" }] } }],
];

for (const [what, obj] of withManagedFields) {
  test(`JSON without managedFields equals deleting them from the object: ${what}`, () => {
    const json = JSON.stringify(obj);
    const expected = JSON.parse(json) as KubeObject;
    if (expected.metadata) delete expected.metadata.managedFields;
    assert.equal(jsonWithoutManagedFields(json), JSON.stringify(expected));
  });
}

test("JSON of other shapes keeps what it has", () => {
  for (const json of ['{"kind":"X"}', '{"metadata":null}', "[]", '{"metadata":{"managedFields":[1']) {
    assert.equal(jsonWithoutManagedFields(json), json, json);
  }
});

test("a stored value is recognised in the cache's JSON, and a change by its length or bytes", () => {
  const value = encodeForStorage({ metadata: { name: "p", labels: { a: "b" } }, spec: { n: 1 } } as KubeObject);
  const cached = storedJsonWithResourceVersion(value, 42) as string;
  assert.equal(isStoredJsonWithResourceVersion(value, 42, cached), true);
  assert.equal(isStoredJsonWithResourceVersion(value.replace('"n":1', '"n":12'), 42, cached), false);
  assert.equal(isStoredJsonWithResourceVersion(value.replace('"n":1', '"n":2'), 42, cached), false);
  const empty = encodeForStorage({ metadata: {}, spec: {} } as KubeObject);
  assert.equal(isStoredJsonWithResourceVersion(empty, 7, storedJsonWithResourceVersion(empty, 7) as string), true);
  // A shape the splice leaves to the encoder, at a length that could match.
  const noMetadata = '{"kind":"X","spec":{"a":"' + "x".repeat(20) + '"}}';
  assert.equal(isStoredJsonWithResourceVersion(noMetadata, 7, noMetadata + '"resourceVersion":"7"'), undefined);
});
