// RFC 7386 JSON merge patch: every example of the RFC's Appendix A, plus the object-only rule the
// apiserver adds and what `kubectl scale`/`kubectl label` send.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { applyMergePatch, mergePatch } from "../../../src/api/patch/merge-patch.js";
import { StatusError } from "../../../src/api/errors.js";

const rfcExamples: Array<[string, unknown, unknown, unknown]> = [
  ["a changed member replaces the old value", { a: "b" }, { a: "c" }, { a: "c" }],
  ["a new member is added", { a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  ["null removes a member", { a: "b" }, { a: null }, {}],
  ["null removes only the member it names", { a: "b", b: "c" }, { a: null }, { b: "c" }],
  ["a scalar replaces an array", { a: ["b"] }, { a: "c" }, { a: "c" }],
  ["an array replaces a scalar", { a: "c" }, { a: ["b"] }, { a: ["b"] }],
  ["nested objects merge, with null deleting inside them", { a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  ["arrays are replaced, never merged", { a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  ["an array patch replaces an array document", ["a", "b"], ["c", "d"], ["c", "d"]],
  ["an array patch replaces an object document", { a: "b" }, ["c"], ["c"]],
  ["a null patch replaces the document with null", { a: "foo" }, null, null],
  ["a string patch replaces the document", { a: "foo" }, "bar", "bar"],
  ["existing nulls in the target are kept", { e: null }, { a: 1 }, { e: null, a: 1 }],
  ["an object patch on an array starts from an empty object", [1, 2], { a: "b", c: null }, { a: "b" }],
  ["nulls inside newly added objects are dropped", {}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe("JSON merge patch", () => {
  for (const [name, target, patch, expected] of rfcExamples) {
    it(`${name} (RFC 7386 Appendix A)`, () => assert.deepEqual(mergePatch(target, patch), expected));
  }

  it("kubectl scale's patch sets spec.replicas and keeps the rest", () => {
    const scale = { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "web" }, spec: { replicas: 1 } };
    assert.deepEqual(applyMergePatch(scale, { spec: { replicas: 5 } }), { ...scale, spec: { replicas: 5 } });
  });

  it("kubectl label --overwrite and label- change one label each", () => {
    const object = { metadata: { name: "web", labels: { app: "web", tier: "fe" } } };
    const patched = applyMergePatch(object, { metadata: { labels: { tier: null, env: "prod" } } });
    assert.deepEqual(patched, { metadata: { name: "web", labels: { app: "web", env: "prod" } } });
  });

  it("a merge patch for an object must itself be an object (400)", () => {
    assert.throws(() => applyMergePatch({}, ["x"]), (error: unknown) => error instanceof StatusError && error.code === 400);
  });

  it("does not mutate the target or the patch, and shares nothing with them", () => {
    const target = { a: { b: 1 }, keep: { deep: [1] } };
    const patch = { a: { c: { d: 2 } } };
    const result = mergePatch(target, patch) as { a: { c: { d: number } }; keep: { deep: number[] } };
    assert.deepEqual(target, { a: { b: 1 }, keep: { deep: [1] } });
    assert.deepEqual(patch, { a: { c: { d: 2 } } });
    result.a.c.d = 9;
    result.keep.deep.push(2);
    assert.equal(patch.a.c.d, 2);
    assert.deepEqual(target.keep.deep, [1]);
  });
});
