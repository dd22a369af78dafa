// jsonClone: the deep copy the registry and patch engines make of JSON values, equal to
// structuredClone's result for plain data and never sharing anything with its input.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonClone } from "../../../src/api/patch/json-value.js";

describe("jsonClone", () => {
  it("copies nested objects and arrays without sharing them", () => {
    const value = { a: [1, { b: "x" }, null], c: { d: true }, e: undefined };
    const copy = jsonClone(value);
    assert.deepEqual(copy, value);
    assert.notEqual(copy.a, value.a);
    assert.notEqual(copy.a[1], value.a[1]);
    assert.notEqual(copy.c, value.c);
    assert.ok(Object.hasOwn(copy, "e"));
  });

  it("keeps a __proto__ key as an own property, as JSON.parse makes it", () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"x":1}') as Record<string, unknown>;
    const copy = jsonClone(value);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ["__proto__", "x"]);
    assert.equal((copy as { polluted?: boolean }).polluted, undefined);
  });

  it("copies a frozen value into a mutable one", () => {
    const copy = jsonClone(Object.freeze({ a: Object.freeze([1]) })) as { a: number[] };
    copy.a.push(2);
    assert.deepEqual(copy, { a: [1, 2] });
  });

  it("hands values that are not plain JSON to structuredClone", () => {
    const when = new Date(0);
    const copy = jsonClone({ when });
    assert.ok(copy.when instanceof Date);
    assert.notEqual(copy.when, when);
    assert.equal(copy.when.getTime(), 0);
  });
});
