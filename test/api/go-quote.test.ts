// Go's strconv.Quote as upstream's messages print user input with %q, shared by label selector
// errors and strict decoding's unknown-field messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { goQuote, isGoPrintable } from "../../src/api/validation/go-quote.js";
import { strictDecodingMessage } from "../../src/api/validation/schema-validate.js";

test("goQuote escapes as Go's strconv.Quote does", () => {
  const cases: [string, string][] = [
    ["", '""'],
    ["spec.foo", '"spec.foo"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ["\x07\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'],
    ["\x00\x1f\x7f", '"\\x00\\x1f\\x7f"'],
    ["함수 é", '"함수 é"'],
    ["a\u00a0b\u200b", '"a\\u00a0b\\u200b"'],
    ["\u{e0001}", '"\\U000e0001"'],
  ];
  for (const [raw, quoted] of cases) assert.equal(goQuote(raw), quoted, JSON.stringify(raw));
});

test("printable means letters, marks, numbers, punctuation, symbols and the ASCII space", () => {
  assert.deepEqual(["a", "é", "9", "-", "€", " ", "\u0301"].map(isGoPrintable), [true, true, true, true, true, true, true]);
  assert.deepEqual(["\t", "\u00a0", "\u200b", "\x7f"].map(isGoPrintable), [false, false, false, false]);
});

test("unknown fields are quoted in strict decoding messages as upstream's %q prints them", () => {
  assert.equal(strictDecodingMessage(["spec.a\nb", "metadata.labels.a\u200bb"]), 'strict decoding error: unknown field "spec.a\\nb", unknown field "metadata.labels.a\\u200bb"');
});
