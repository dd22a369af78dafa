// Field sets and their fieldsV1 form: the serialisation upstream writes into managedFields, set
// algebra, and the path strings used in conflict messages.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FieldSet } from "../../../src/api/patch/field-set.js";
import { deepFreeze } from "../../../src/api/deep-freeze.js";
import { fieldElement, keyElement, parseElement, pathString, serializeElement, type FieldPath } from "../../../src/api/patch/field-path.js";

const f = fieldElement;
const path = (...elements: Array<string | ReturnType<typeof keyElement> | { value: unknown } | { index: number }>): FieldPath =>
  elements.map((e) => (typeof e === "string" ? f(e) : e));
const container = keyElement([["name", "api-server"]]);

describe("field paths", () => {
  const elements: Array<[string, ReturnType<typeof keyElement>, string, string]> = [
    ["a field", f("replicas"), "f:replicas", ".replicas"],
    ["a list-map item", container, 'k:{"name":"api-server"}', '[name="api-server"]'],
    ["a list-map item with several keys, sorted by name", keyElement([["protocol", "TCP"], ["containerPort", 80]]), 'k:{"containerPort":80,"protocol":"TCP"}', '[containerPort=80,protocol="TCP"]'],
    ["a set item", { value: "example.com/a" }, 'v:"example.com/a"', '[="example.com/a"]'],
    ["an index", { index: 3 }, "i:3", "[3]"],
  ];
  for (const [name, element, serialized, printed] of elements) {
    it(`${name} serialises as ${serialized} and prints as ${printed}`, () => {
      assert.equal(serializeElement(element), serialized);
      assert.deepEqual(parseElement(serialized), element);
      assert.equal(pathString([element]), printed);
    });
  }

  it("a conflict path prints like upstream's", () => {
    assert.equal(pathString(path("spec", "template", "spec", "containers", container, "image")), '.spec.template.spec.containers[name="api-server"].image');
  });
});

describe("field sets", () => {
  it("serialise to fieldsV1 with '.' where an element is owned and has owned fields below", () => {
    const set = FieldSet.of([
      path("metadata", "labels"), path("metadata", "labels", "app"),
      path("spec", "replicas"),
      path("spec", "template", "spec", "containers", container),
      path("spec", "template", "spec", "containers", container, "image"),
    ]);
    assert.deepEqual(set.toFieldsV1(), {
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:template": { "f:spec": { "f:containers": { 'k:{"name":"api-server"}': { ".": {}, "f:image": {} } } } },
      },
    });
  });

  it("writes keys in upstream's order: fields, then keys, then values", () => {
    const set = FieldSet.of([path("b"), path("a"), path({ value: "x" }), path(container)]);
    assert.deepEqual(Object.keys(set.toFieldsV1()), ["f:a", "f:b", 'k:{"name":"api-server"}', 'v:"x"']);
  });

  it("round-trips through fieldsV1", () => {
    const fields = { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } }, "f:spec": { "f:replicas": {}, "f:selector": {} } };
    assert.deepEqual(FieldSet.fromFieldsV1(fields).toFieldsV1(), fields);
  });

  it("knows its members and the sets below them", () => {
    const set = FieldSet.fromFieldsV1({ "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } });
    assert.ok(set.has(path("metadata", "labels")));
    assert.ok(set.has(path("metadata", "labels", "app")));
    assert.ok(!set.has(path("metadata")));
    assert.deepEqual(set.paths().map(pathString), [".metadata.labels", ".metadata.labels.app"]);
  });

  const a = FieldSet.of([path("spec", "replicas"), path("spec", "paused"), path("metadata", "labels", "x")]);
  const b = FieldSet.of([path("spec", "replicas"), path("spec"), path("status", "ready")]);
  const algebra: Array<[string, FieldSet, string[]]> = [
    ["union holds the paths of both", a.union(b), [".spec", ".metadata.labels.x", ".spec.paused", ".spec.replicas", ".status.ready"]],
    ["intersection holds the paths in both", a.intersection(b), [".spec.replicas"]],
    ["difference removes members but keeps children of a removed member", a.difference(b), [".metadata.labels.x", ".spec.paused"]],
    ["recursive difference also removes everything below a removed member", a.recursiveDifference(b), [".metadata.labels.x"]],
  ];
  for (const [name, result, expected] of algebra) {
    it(name, () => assert.deepEqual(result.paths().map(pathString), expected));
  }

  it("operations leave their operands unchanged and never keep empty children", () => {
    const before = JSON.stringify(a.toFieldsV1());
    const empty = a.difference(a);
    assert.ok(empty.isEmpty());
    assert.deepEqual(empty.toFieldsV1(), {});
    assert.equal(JSON.stringify(a.toFieldsV1()), before);
  });

  it("a stored set that a difference leaves whole is written back as stored; one it changes is re-encoded", () => {
    const stored = { "f:spec": { "f:containers": { [`k:{"name":"api-server"}`]: { ".": {}, "f:image": {}, "f:name": {} } }, "f:replicas": {} } };
    const set = FieldSet.fromStoredFieldsV1(stored);
    const untouched = set.difference(FieldSet.of([path("status", "phase")]));
    assert.equal(untouched, set, "nothing removed: the same set");
    assert.deepEqual(untouched.toFieldsV1(), stored);
    assert.notEqual(untouched.toFieldsV1(), stored, "a copy, never the stored object itself");
    const changed = set.difference(FieldSet.of([path("spec", "replicas")]));
    assert.deepEqual(changed.toFieldsV1(), { "f:spec": { "f:containers": { [`k:{"name":"api-server"}`]: { ".": {}, "f:image": {}, "f:name": {} } } } });
    assert.deepEqual(set.toFieldsV1(), FieldSet.fromFieldsV1(stored).toFieldsV1(), "stored fieldsV1 are what encoding writes");
  });

  it("frozen stored fieldsV1 (the watch cache's) are read once and written back as they are", () => {
    const stored = deepFreeze({ "f:metadata": { "f:labels": { ".": {}, "f:app": {} } }, "f:spec": { "f:replicas": {} } });
    const set = FieldSet.fromStoredFieldsV1(stored);
    assert.equal(FieldSet.fromStoredFieldsV1(stored), set, "one set for every reader");
    assert.equal(set.toFieldsV1(), stored, "frozen: shared, not copied");
  });
});
