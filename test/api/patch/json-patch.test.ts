// RFC 6902 JSON patch: the RFC's Appendix A examples, kubectl-style patches on objects, and the
// errors (400 malformed, 422 does not apply, 413 too many operations) with their messages.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyJsonPatch } from "../../../src/api/patch/json-patch.js";
import { StatusError } from "../../../src/api/errors.js";

interface Case {
  name: string;
  doc: unknown;
  patch: unknown;
  expected: unknown;
}

const cases: Case[] = [
  { name: "add inserts an object member (RFC A.1)", doc: { foo: "bar" }, patch: [{ op: "add", path: "/baz", value: "qux" }], expected: { foo: "bar", baz: "qux" } },
  { name: "add inserts an array element before the index (RFC A.2)", doc: { foo: ["bar", "baz"] }, patch: [{ op: "add", path: "/foo/1", value: "qux" }], expected: { foo: ["bar", "qux", "baz"] } },
  { name: "remove deletes an object member (RFC A.3)", doc: { baz: "qux", foo: "bar" }, patch: [{ op: "remove", path: "/baz" }], expected: { foo: "bar" } },
  { name: "remove deletes an array element (RFC A.4)", doc: { foo: ["bar", "qux", "baz"] }, patch: [{ op: "remove", path: "/foo/1" }], expected: { foo: ["bar", "baz"] } },
  { name: "replace changes a value (RFC A.5)", doc: { baz: "qux", foo: "bar" }, patch: [{ op: "replace", path: "/baz", value: "boo" }], expected: { baz: "boo", foo: "bar" } },
  {
    name: "move takes a value from one member to another (RFC A.6)",
    doc: { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    patch: [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    expected: { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  },
  { name: "move reorders an array (RFC A.7)", doc: { foo: ["all", "grass", "cows", "eat"] }, patch: [{ op: "move", from: "/foo/1", path: "/foo/3" }], expected: { foo: ["all", "cows", "eat", "grass"] } },
  {
    name: "test passes when values are equal (RFC A.8)",
    doc: { baz: "qux", foo: ["a", 2, "c"] },
    patch: [{ op: "test", path: "/baz", value: "qux" }, { op: "test", path: "/foo/1", value: 2 }],
    expected: { baz: "qux", foo: ["a", 2, "c"] },
  },
  { name: "add creates a nested member (RFC A.10)", doc: { foo: "bar" }, patch: [{ op: "add", path: "/child", value: { grandchild: {} } }], expected: { foo: "bar", child: { grandchild: {} } } },
  { name: "unrecognized operation members are ignored (RFC A.11)", doc: { foo: "bar" }, patch: [{ op: "add", path: "/baz", value: "qux", xyz: 123 }], expected: { foo: "bar", baz: "qux" } },
  { name: "~1 and ~0 escape / and ~ in pointers (RFC A.14)", doc: { "/": 9, "~1": 10 }, patch: [{ op: "test", path: "/~01", value: 10 }, { op: "add", path: "/a~1b", value: 1 }], expected: { "/": 9, "~1": 10, "a/b": 1 } },
  { name: "add with an array value adds it as one element (RFC A.16)", doc: { foo: ["bar"] }, patch: [{ op: "add", path: "/foo/-", value: ["abc", "def"] }], expected: { foo: ["bar", ["abc", "def"]] } },
  { name: "add at - appends to an array", doc: { spec: { args: ["a"] } }, patch: [{ op: "add", path: "/spec/args/-", value: "b" }], expected: { spec: { args: ["a", "b"] } } },
  { name: "add replaces an existing member", doc: { spec: { replicas: 1 } }, patch: [{ op: "add", path: "/spec/replicas", value: 3 }], expected: { spec: { replicas: 3 } } },
  { name: "copy duplicates a value", doc: { a: { b: [1] } }, patch: [{ op: "copy", from: "/a", path: "/c" }], expected: { a: { b: [1] }, c: { b: [1] } } },
  { name: "replace at the root replaces the whole document", doc: { a: 1 }, patch: [{ op: "replace", path: "", value: { b: 2 } }], expected: { b: 2 } },
  { name: "test compares objects structurally, whatever the key order", doc: { a: { x: 1, y: [1, 2] } }, patch: [{ op: "test", path: "/a", value: { y: [1, 2], x: 1 } }], expected: { a: { x: 1, y: [1, 2] } } },
  {
    name: "rollout undo's JSON patch replaces the pod template",
    doc: { spec: { template: { spec: { containers: [{ name: "c", image: "v2" }] } } } },
    patch: [{ op: "replace", path: "/spec/template", value: { spec: { containers: [{ name: "c", image: "v1" }] } } }],
    expected: { spec: { template: { spec: { containers: [{ name: "c", image: "v1" }] } } } },
  },
  { name: "an empty patch changes nothing", doc: { a: 1 }, patch: [], expected: { a: 1 } },
];

interface ErrorCase {
  name: string;
  doc: unknown;
  patch: unknown;
  code: number;
  message: string | RegExp;
}

const errorCases: ErrorCase[] = [
  { name: "replace of a missing key does not apply", doc: { spec: {} }, patch: [{ op: "replace", path: "/spec/foo", value: 1 }], code: 422, message: "jsonpatch replace operation does not apply: doc is missing key: /spec/foo" },
  { name: "remove of a missing key does not apply", doc: { spec: {} }, patch: [{ op: "remove", path: "/spec/foo" }], code: 422, message: "jsonpatch remove operation does not apply: doc is missing key: /spec/foo" },
  { name: "a failed test rejects the whole patch (RFC A.9)", doc: { baz: "qux" }, patch: [{ op: "test", path: "/baz", value: "bar" }], code: 422, message: /^jsonpatch test operation does not apply: testing value \/baz failed/ },
  { name: "a string does not test equal to a number (RFC A.15)", doc: { "/": 9, "~1": 10 }, patch: [{ op: "test", path: "/~01", value: "10" }], code: 422, message: /testing value \/~01 failed/ },
  { name: "add below a missing member does not apply (RFC A.12)", doc: { foo: "bar" }, patch: [{ op: "add", path: "/baz/bat", value: "qux" }], code: 422, message: "jsonpatch add operation does not apply: doc is missing path: /baz/bat" },
  { name: "add past the end of an array does not apply", doc: { a: [1] }, patch: [{ op: "add", path: "/a/5", value: 2 }], code: 422, message: "jsonpatch add operation does not apply: doc is missing index: /a/5" },
  { name: "a negative index does not apply", doc: { a: [1] }, patch: [{ op: "remove", path: "/a/-1" }], code: 422, message: "jsonpatch remove operation does not apply: doc is missing key: /a/-1" },
  { name: "a value cannot move into its own child", doc: { a: { b: 1 } }, patch: [{ op: "move", from: "/a", path: "/a/b/c" }], code: 422, message: /cannot be moved into its own child/ },
  { name: "a patch that is not an array is malformed", doc: {}, patch: { op: "add" }, code: 400, message: /must be a JSON array/ },
  { name: "an unknown op is malformed", doc: {}, patch: [{ op: "frobnicate", path: "/a" }], code: 400, message: /unsupported "op": "frobnicate"/ },
  { name: "an op without a path is malformed", doc: {}, patch: [{ op: "remove" }], code: 400, message: /has no "path"/ },
  { name: "add without a value is malformed", doc: {}, patch: [{ op: "add", path: "/a" }], code: 400, message: /has no "value"/ },
  { name: "a path not starting with / is malformed", doc: {}, patch: [{ op: "add", path: "a", value: 1 }], code: 400, message: /is not a JSON pointer/ },
  { name: "more than 10000 operations are too large", doc: {}, patch: Array.from({ length: 10001 }, () => ({ op: "test", path: "", value: {} })), code: 413, message: "The allowed maximum operations in a JSON patch is 10000, got 10001" },
];

describe("JSON patch", () => {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(applyJsonPatch(c.doc, c.patch), c.expected));
  }

  for (const c of errorCases) {
    it(`${c.name} (${c.code})`, () => {
      assert.throws(() => applyJsonPatch(c.doc, c.patch), (error: unknown) => {
        assert.ok(error instanceof StatusError);
        assert.equal(error.code, c.code);
        if (typeof c.message === "string") assert.equal(error.message, c.message);
        else assert.match(error.message, c.message);
        return true;
      });
    });
  }

  it("does not mutate the document or the patch", () => {
    const doc = { spec: { args: ["a"], nested: { x: 1 } } };
    const value = { y: 2 };
    const patch = [{ op: "add", path: "/spec/args/-", value: "b" }, { op: "add", path: "/spec/extra", value }, { op: "remove", path: "/spec/nested/x" }];
    const docBefore = structuredClone(doc);
    const patchBefore = structuredClone(patch);
    const result = applyJsonPatch(doc, patch) as { spec: { extra: { y: number } } };
    assert.deepEqual(doc, docBefore);
    assert.deepEqual(patch, patchBefore);
    result.spec.extra.y = 3;
    assert.equal(value.y, 2, "the result must not alias the patch's values");
  });

  it("applies nothing when a later operation fails", () => {
    const doc = { a: 1 };
    assert.throws(() => applyJsonPatch(doc, [{ op: "replace", path: "/a", value: 2 }, { op: "test", path: "/a", value: 1 }]));
    assert.deepEqual(doc, { a: 1 });
  });
});
