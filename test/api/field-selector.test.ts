// Field selectors: the string syntax with its escapes, matching through a getter, and the messages
// callers use for unsupported fields (pkg/fields tests at v1.32).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FieldSelector, escapeFieldValue, fieldLabelNotSupported, notAKnownFieldSelector, unescapeFieldValue,
} from "../../src/api/field-selector.js";
import { SelectorError } from "../../src/api/selector-error.js";

test("field selectors parse into sorted requirements with values unescaped", () => {
  const cases: [string, string, [string, string, string][]][] = [
    ["", "", []],
    ["a=b", "a=b", [["a", "=", "b"]]],
    ["x=a,y=b,z=c", "x=a,y=b,z=c", [["x", "=", "a"], ["y", "=", "b"], ["z", "=", "c"]]],
    ["c!=d,a==b", "a=b,c!=d", [["a", "=", "b"], ["c", "!=", "d"]]],
    ["x=a||y\\=b", "x=a||y\\=b", [["x", "=", "a||y=b"]]],
    ["x=a\\=\\=b", "x=a\\=\\=b", [["x", "=", "a==b"]]],
    ["k=\\,,k2=v2", "k2=v2,k=\\,", [["k2", "=", "v2"], ["k", "=", ","]]],
    ["k=\\\\,k2=v2", "k2=v2,k=\\\\", [["k2", "=", "v2"], ["k", "=", "\\"]]],
    ["a=a,", "a=a", [["a", "=", "a"]]],
    ["spec.nodeName=,status.phase!=Running", "spec.nodeName=,status.phase!=Running", [["spec.nodeName", "=", ""], ["status.phase", "!=", "Running"]]],
    ["=", "", []],
    ["함=수,목=록", "목=록,함=수", [["목", "=", "록"], ["함", "=", "수"]]],
  ];
  for (const [text, printed, reqs] of cases) {
    const selector = FieldSelector.parse(text);
    assert.deepEqual(selector.requirements.map((r) => [r.field, r.operator, r.value]), reqs, text);
    assert.equal(selector.toString(), printed, text);
  }
});

test("bad field selectors fail with upstream's messages", () => {
  const cases: [string, string][] = [
    ["a", "invalid selector: 'a'; can't understand 'a'"],
    ["a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"],
    ["a=b=c", "invalid field selector: unescaped character in value: 61"],
    ["a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"],
    ["a=,b", "invalid selector: 'a=,b'; can't understand 'b'"],
    ["a=b\\x", "invalid field selector: invalid escape sequence: \\x"],
    ["a=b\\", "invalid field selector: invalid escape sequence: \\"],
    ["a=x,y", "invalid selector: 'a=x,y'; can't understand 'y'"],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => FieldSelector.parse(text), (err: unknown) => err instanceof SelectorError && err.message === message, text);
  }
});

test("field values escape and unescape as upstream", () => {
  const cases: [string, string][] = [["", ""], ["a", "a"], ["=", "\\="], [",", "\\,"], ["\\", "\\\\"], ["\\=\\,\\", "\\\\\\=\\\\\\,\\\\"]];
  for (const [raw, escaped] of cases) {
    assert.equal(escapeFieldValue(raw), escaped);
    assert.equal(unescapeFieldValue(escaped), raw);
  }
  for (const bad of ["\\", "\\\\\\", "\\a"]) assert.throws(() => unescapeFieldValue(bad), SelectorError);
});

test("field selectors match through a getter, unknown fields reading as empty", () => {
  const pod: Record<string, string> = { "metadata.name": "web-1", "spec.nodeName": "", "status.phase": "Running" };
  const get = (field: string): string | undefined => pod[field];
  const cases: [string, boolean][] = [
    ["", true], ["metadata.name=web-1", true], ["metadata.name==web-1", true], ["metadata.name!=web-1", false],
    ["spec.nodeName=", true], ["spec.nodeName!=", false], ["status.phase!=Pending,metadata.name=web-1", true],
    ["status.phase=Pending", false], ["spec.unknown=", true], ["spec.unknown!=", false],
  ];
  for (const [text, want] of cases) assert.equal(FieldSelector.parse(text).matches(get), want, text);
  assert.equal(FieldSelector.nothing().matches(get), false);
  assert.equal(FieldSelector.everything().isEmpty(), true);
  assert.equal(FieldSelector.parse("metadata.name=a,status.phase!=b").requiresExactMatch("metadata.name"), "a");
  assert.equal(FieldSelector.parse("status.phase!=b").requiresExactMatch("status.phase"), undefined);
});

test("callers find the first unsupported field and word the 400 as upstream", () => {
  const supported = new Set(["metadata.name", "metadata.namespace"]);
  const selector = FieldSelector.parse("spec.foo=1,metadata.name=a,spec.bar=2");
  assert.equal(selector.unsupportedField((f) => supported.has(f)), "spec.bar");
  assert.equal(FieldSelector.parse("metadata.name=a").unsupportedField((f) => supported.has(f)), undefined);
  assert.equal(fieldLabelNotSupported("spec.foo"), "field label not supported: spec.foo");
  assert.equal(notAKnownFieldSelector("spec.foo"), `"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"`);
});
