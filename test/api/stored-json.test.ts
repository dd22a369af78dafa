// The watch cache's JSON for a stored value is exactly what decoding it and encoding it again gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { storedJsonWithResourceVersion } from "../../src/api/stored-json.js";
import { decodeFromStorage, encodeForStorage } from "../../src/api/stored-object.js";
import type { KubeObject } from "../../src/api/resource.js";

const objects: Array<[string, unknown]> = [
  ["a pod with metadata first", { metadata: { name: "p", namespace: "default", labels: { app: "x" } }, spec: { containers: [{ name: "c" }] } }],
  ["metadata after a spec holding a template's metadata", { kind: "Deployment", spec: { template: { metadata: { labels: { a: "b" } } } }, metadata: { name: "d" } }],
  ["empty metadata", { kind: "ConfigMap", metadata: {}, data: { a: "1" } }],
  ["strings with quotes, braces and escapes", { metadata: { name: "q", annotations: { "x": '{"metadata":{"}":"\\"', y: "\u2028é\n" } }, data: { "k": "}]" } }],
  ["strings ending in backslashes", { metadata: { name: "b", annotations: { z: "ends with \\", w: "\\\"\\" } }, spec: { s: "\\" } }],
  ["metadata with managedFields and arrays", { metadata: { name: "m", finalizers: ["a", "b"], managedFields: [{ manager: "m", fieldsV1: { "f:spec": { ".": {} } } }] }, status: {} }],
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
