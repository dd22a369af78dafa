// A written object taken by the watch cache is exactly what decoding its stored bytes gives, or
// nothing when it would not round-trip; and the cache takes it only for the write it was given for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { asDecoded, withResourceVersion } from "../../src/api/written-object.js";
import { decodeFromStorage, encodeForStorage } from "../../src/api/stored-object.js";
import { ResourceCache } from "../../src/api/watch-cache.js";
import type { KubeObject } from "../../src/api/resource.js";

function decoded(obj: KubeObject, revision: number): KubeObject {
  return decodeFromStorage(encodeForStorage(obj), revision);
}

const roundTripping: Array<[string, () => KubeObject]> = [
  ["a pod", () => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default", labels: { a: "b" } }, spec: { containers: [{ name: "c", ports: [{ containerPort: 80 }] }] }, status: { phase: "Pending" } })],
  ["a stale resourceVersion in the middle of metadata", () => ({ kind: "ConfigMap", metadata: { name: "c", resourceVersion: "3", uid: "u" }, data: { k: "v" } })],
  ["no metadata", () => ({ kind: "X", spec: { n: 1 } }) as KubeObject],
  ["undefined members, which JSON drops", () => ({ kind: "X", metadata: { name: "u", labels: undefined }, spec: { a: undefined, b: [{ c: undefined, d: null }], e: 0, f: false } }) as unknown as KubeObject],
  ["integer-like keys", () => ({ kind: "X", metadata: { name: "i", annotations: { b: "1", "2": "x", "10": "y", a: "z" } } })],
  ["frozen parts shared with an earlier revision", () => ({ kind: "X", metadata: Object.freeze({ name: "f" }), spec: Object.freeze({ a: Object.freeze([1, 2]) }) }) as KubeObject],
];

for (const [what, make] of roundTripping) {
  test(`a written object is taken as its decode: ${what}`, () => {
    const expected = decoded(make(), 42);
    const adopted = withResourceVersion(make(), 42);
    assert.ok(asDecoded(adopted));
    assert.ok(Object.isFrozen(adopted) && Object.isFrozen(adopted.metadata));
    assert.deepEqual(adopted, expected);
    assert.equal(JSON.stringify(adopted), JSON.stringify(expected), "the same members in the same order");
  });
}

const notRoundTripping: Array<[string, unknown]> = [
  ["a function", { kind: "X", spec: { f: () => 1 } }],
  ["NaN", { kind: "X", spec: { n: Number.NaN } }],
  ["Infinity in a list", { kind: "X", spec: { n: [1, Number.POSITIVE_INFINITY] } }],
  ["undefined in a list", { kind: "X", spec: { l: [1, undefined] } }],
  ["a hole in a list", { kind: "X", spec: { l: [1, , 3] } }],
  ["a Date", { kind: "X", metadata: { creationTimestamp: new Date(0) } }],
  ["an object with toJSON", { kind: "X", spec: { v: { toJSON: () => "x" } } }],
  ["a class instance", { kind: "X", spec: { m: new Map() } }],
  ["a bigint", { kind: "X", spec: { n: 1n } }],
];

for (const [what, obj] of notRoundTripping) {
  test(`a written object that would not round-trip is decoded instead: ${what}`, () => {
    assert.equal(asDecoded(withResourceVersion(obj as KubeObject, 7)), false);
  });
}

test("the watch cache takes the written object for that write only", () => {
  const cache = new ResourceCache("configmaps", () => ({}), 1);
  const stopWatching = cache.watch(1, { decoded: true, onEvent: () => {} });
  const key = "/registry/configmaps/default/a";
  const object: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "default" }, data: { k: "1" } };
  const value = encodeForStorage(object);
  cache.expectWrite(key, value, object);
  cache.applyPut(key, value, 2);
  const taken = cache.get(key)?.object;
  assert.equal(taken?.data, object.data, "the object itself, not a parse");
  assert.ok(Object.isFrozen(object.data), "kept for decoded watchers, so frozen");
  assert.equal(taken?.metadata?.resourceVersion, "2");

  // Another writer's bytes for the key are decoded, whatever was expected.
  const other: KubeObject = { ...object, data: { k: "2" } };
  cache.expectWrite(key, encodeForStorage(other), other);
  const theirs = encodeForStorage({ ...object, data: { k: "3" } });
  cache.applyPut(key, theirs, 3);
  assert.deepEqual(cache.get(key)?.object?.data, { k: "3" });
  assert.notEqual(cache.get(key)?.object?.data, other.data);
  cache.forgetWrite(key, encodeForStorage(other));
  stopWatching();

  // Not kept decoded: the written object gives the entry's metadata, labels and JSON without a
  // parse, but the cache keeps only strings and a copy of the labels, nothing the writer could change.
  const labelled: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "default", labels: { app: "x" } } };
  const labelledValue = encodeForStorage(labelled);
  cache.expectWrite("/registry/configmaps/default/b", labelledValue, labelled);
  cache.applyPut("/registry/configmaps/default/b", labelledValue, 4);
  assert.equal(Object.isFrozen(labelled.metadata?.labels), false);
  labelled.metadata!.labels!["app"] = "changed";
  assert.deepEqual(cache.get("/registry/configmaps/default/b")?.labels, { app: "x" });
  assert.equal(cache.get("/registry/configmaps/default/b")?.json, JSON.stringify(decodeFromStorage(labelledValue, 4)));
  assert.equal(cache.get("/registry/configmaps/default/b")?.object, undefined);
  assert.deepEqual(cache.get("/registry/configmaps/default/b")?.fields, { "metadata.name": "b", "metadata.namespace": "default" });
});
