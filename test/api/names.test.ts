// Name formats with upstream's messages (k8s.io/apimachinery/pkg/util/validation at v1.32).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName,
  regexError, utf8Length, validateName,
} from "../../src/api/validation/names.js";

const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QNAME_REGEX = "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const NAME_PART = `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${QNAME_REGEX}`;
const LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test("DNS-1123 subdomains accept dotted lower-case names up to 253 characters", () => {
  const cases: [string, string[]][] = [
    ["example.com", []], ["a", []], ["0", []], ["a-b.c-d", []], ["a".repeat(253), []],
    ["", [SUBDOMAIN]], ["Example", [SUBDOMAIN]], ["-a", [SUBDOMAIN]], ["a-", [SUBDOMAIN]], ["a..b", [SUBDOMAIN]], ["a_b", [SUBDOMAIN]],
    ["a".repeat(254), ["must be no more than 253 characters"]],
    ["A".repeat(254), ["must be no more than 253 characters", SUBDOMAIN]],
  ];
  for (const [value, errs] of cases) assert.deepEqual(isDNS1123Subdomain(value), errs, value);
});

test("DNS-1123 labels are one segment: dots get their own message", () => {
  const cases: [string, string[]][] = [
    ["my-name", []], ["123-abc", []], ["a".repeat(63), []],
    ["a.b", ["must not contain dots"]], ["", [LABEL]], ["My", [LABEL]], ["a-", [LABEL]],
    ["a".repeat(64), ["must be no more than 63 characters"]],
  ];
  for (const [value, errs] of cases) assert.deepEqual(isDNS1123Label(value), errs, value);
});

test("DNS-1035 labels must start with a letter", () => {
  const cases: [string, string[]][] = [
    ["my-name", []], ["abc-123", []], ["1abc", [DNS1035]], ["a.b", [DNS1035]], ["a".repeat(64), ["must be no more than 63 characters"]],
  ];
  for (const [value, errs] of cases) assert.deepEqual(isDNS1035Label(value), errs, value);
});

test("qualified names take an optional DNS subdomain prefix", () => {
  const cases: [string, string[]][] = [
    ["MyName", []], ["my.name", []], ["123-abc", []], ["example.com/MyName", []], ["a".repeat(63), []],
    ["", ["name part must be non-empty", NAME_PART]],
    ["-a", [NAME_PART]],
    ["/a", ["prefix part must be non-empty"]],
    ["a/", ["name part must be non-empty", NAME_PART]],
    ["Example.com/a", [`prefix part ${SUBDOMAIN}`]],
    ["a/b/c", [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${QNAME_REGEX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]],
    ["a".repeat(64), ["name part must be no more than 63 characters"]],
  ];
  for (const [value, errs] of cases) assert.deepEqual(isQualifiedName(value), errs, value);
});

test("label values may be empty and are at most 63 characters", () => {
  const cases: [string, string[]][] = [
    ["", []], ["MyValue", []], ["my_value", []], ["12345", []], ["a".repeat(63), []],
    ["-x", [LABEL_VALUE]], ["a b", [LABEL_VALUE]],
    ["a".repeat(64), ["must be no more than 63 characters"]],
    ["é", [LABEL_VALUE]],
  ];
  for (const [value, errs] of cases) assert.deepEqual(isValidLabelValue(value), errs, value);
});

test("path-segment names only forbid '.', '..', '/' and '%'", () => {
  const cases: [string, string[]][] = [
    ["ok", []], ["Any Thing:1", []], [".", ["may not be '.'"]], ["..", ["may not be '..'"]], ["a/b%c", ["may not contain '/'", "may not contain '%'"]],
  ];
  for (const [value, errs] of cases) assert.deepEqual(isValidPathSegmentName(value), errs, value);
});

test("generateName prefixes may end in a dash, masked as upstream does", () => {
  const cases: [Parameters<typeof validateName>[0], string, boolean, number][] = [
    ["subdomain", "web-", true, 0], ["subdomain", "web-", false, 1], ["label", "a-", true, 0], ["dns1035", "x-", true, 0],
    ["dns1035", "1x-", true, 1], ["dns1035", "1-", true, 0], ["path-segment", ".", true, 0], ["path-segment", ".", false, 1], ["any", "/%", false, 0],
    ["subdomain", "-", true, 1],
  ];
  for (const [rule, name, prefix, count] of cases) assert.equal(validateName(rule, name, prefix).length, count, `${rule} ${name} ${prefix}`);
});

test("lengths count UTF-8 bytes and regex errors list their examples", () => {
  assert.equal(utf8Length("abc"), 3);
  assert.equal(utf8Length("é"), 2);
  assert.equal(utf8Length("함"), 3);
  assert.equal(utf8Length("😀"), 4);
  assert.equal(regexError("msg", "x"), "msg (regex used for validation is 'x')");
  assert.equal(regexError("msg", "x", "a", "b"), "msg (e.g. 'a',  or 'b', regex used for validation is 'x')");
});
