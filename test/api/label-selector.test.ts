// Label selectors: the string syntax, matching, metav1.LabelSelector conversion and validation,
// with upstream's error messages (pkg/labels tests at v1.32).
import { test } from "node:test";
import assert from "node:assert/strict";
import { LabelSelector, validateLabelSelector, type LabelSelectorObject } from "../../src/api/label-selector.js";
import { SelectorError } from "../../src/api/selector-error.js";
import { fieldErrorMessage } from "../../src/api/validation/field-errors.js";

const KEY_REGEX = "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const NAME_PART = `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${KEY_REGEX}`;
const LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function parseError(text: string): string {
  try {
    LabelSelector.parse(text);
  } catch (err) {
    assert.ok(err instanceof SelectorError);
    return err.message;
  }
  return "no error";
}

test("label selectors parse and print back without spaces", () => {
  const good = ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"];
  for (const text of good) assert.equal(LabelSelector.parse(text).toString(), text.replaceAll(" ", ""), text);
});

test("label selectors are sorted by key and their value sets sorted", () => {
  const cases: [string, string][] = [
    ["x=a,a=x", "a=x,x=a"],
    ["\rx", "x"],
    ["this-is-another-dns.domain.com/key-with-dash in (so,what)", "this-is-another-dns.domain.com/key-with-dash in (so,what)"],
    ["0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"],
    ["foo  in\t (abc)", "foo in (abc)"],
    ["x notin\n (abc)", "x notin (abc)"],
    ["x in (abc,)", "x in (,abc)"],
    ["x in ()", "x in ()"],
    ["x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"],
    ["x,y in (a)", "x,y in (a)"],
    ["x notin ( )", "x notin ()"],
    ["x notin (, a)", "x notin (,a)"],
    ["a ", "a"],
    ["a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"],
    ["notin in (notin)", "notin in (notin)"],
    ["x==a,y==,z", "x==a,y==,z"],
    ["x in (b,a,b)", "x in (a,b)"],
  ];
  for (const [text, printed] of cases) assert.equal(LabelSelector.parse(text).toString(), printed, text);
});

test("bad label selectors fail with upstream's messages", () => {
  const cases: [string, string][] = [
    ["x=a||y=b", `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${LABEL_VALUE}`],
    ["x==a==b", "found '==', expected: ',' or 'end of string'"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    ["x<a", `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ["x,,y", "found ',', expected: identifier after ','"],
    [",x,y", "found ',', expected: !, identifier, or 'end of string'"],
    ["x nott in (y)", "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ["a in (xyz),", "found '', expected: identifier after ','"],
    ["a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'"],
    ["a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ["a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ["a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ["(", "found '(', expected: !, identifier, or 'end of string'"],
    ["x in a", "unable to parse requirement: found 'a' expected: '('"],
    ["x in (a,,)", "unable to parse requirement: found ')', expected: ',', or identifier"],
    ["a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ["-a", `unable to parse requirement: <nil>: Invalid value: "-a": ${NAME_PART}`],
    ["a=-b", `unable to parse requirement: values[0][a]: Invalid value: "-b": ${LABEL_VALUE}`],
    ["x>1,y>a,z<b", `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
  ];
  for (const [text, message] of cases) assert.equal(parseError(text), message, text);
});

test("label selectors match label sets as upstream's do", () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ["", { x: "y" }, true],
    ["x=y", { x: "y" }, true],
    ["x=y,z=w", { x: "y", z: "w" }, true],
    ["x!=y,z!=w", { x: "z", z: "a" }, true],
    ["notin=in", { notin: "in" }, true],
    ["x", { x: "z" }, true],
    ["!x", { y: "z" }, true],
    ["x>1", { x: "2" }, true],
    ["x<1", { x: "0" }, true],
    ["x=z", {}, false],
    ["x=y", { x: "z" }, false],
    ["x=y,z=w", { x: "w", z: "w" }, false],
    ["x!=y,z!=w", { x: "z", z: "w" }, false],
    ["x", { y: "z" }, false],
    ["!x", { x: "z" }, false],
    ["x>1", { x: "0" }, false],
    ["x<1", { x: "2" }, false],
    ["x>1", { x: "v2" }, false],
    ["x in (foo),y notin (alpha)", { x: "foo", y: "baz" }, true],
    ["x in (foo),y in (alpha)", { x: "foo", y: "baz" }, false],
    ["x notin (),y", { y: "" }, true],
    ["!x,y", { y: "" }, true],
    ["x notin (),!y", { y: "" }, false],
    ["x in ()", { y: "baz" }, false],
    ["x in (a,b,c,d,e,f)", { x: "e" }, true],
    ["constructor", {}, false],
    ["!constructor", {}, true],
    ["constructor notin (a)", {}, true],
  ];
  for (const [text, labels, want] of cases) assert.equal(LabelSelector.parse(text).matches(labels), want, `${text} on ${JSON.stringify(labels)}`);
  assert.equal(LabelSelector.parse("x").matches(undefined), false);
  assert.equal(LabelSelector.parse("!x").matches(undefined), true);
});

test("a LabelSelector object converts with null selecting nothing and empty selecting everything", () => {
  const labels = { app: "web", tier: "front" };
  const cases: [LabelSelectorObject | null | undefined, string, boolean, boolean][] = [
    [null, "", false, false],
    [undefined, "", false, false],
    [{}, "", true, true],
    [{ matchLabels: {}, matchExpressions: [] }, "", true, true],
    [{ matchLabels: { app: "web" } }, "app=web", false, true],
    [{ matchLabels: { tier: "front", app: "web" } }, "app=web,tier=front", false, true],
    [{ matchExpressions: [{ key: "tier", operator: "In", values: ["back", "front"] }] }, "tier in (back,front)", false, true],
    [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, "tier notin (front)", false, false],
    [{ matchExpressions: [{ key: "app", operator: "Exists" }, { key: "canary", operator: "DoesNotExist" }] }, "app,!canary", false, true],
    [{ matchLabels: { app: "web" }, matchExpressions: [{ key: "app", operator: "In", values: ["db"] }] }, "app=web,app in (db)", false, false],
  ];
  for (const [object, printed, empty, matches] of cases) {
    const selector = LabelSelector.fromObject(object);
    assert.equal(selector.toString(), printed, JSON.stringify(object));
    assert.equal(selector.isEmpty(), empty, JSON.stringify(object));
    assert.equal(selector.matches(labels), matches, JSON.stringify(object));
    assert.equal(selector.matchesNothing(), object === null || object === undefined);
  }
});

test("a bad LabelSelector object fails conversion with upstream's messages", () => {
  const cases: [LabelSelectorObject, string][] = [
    [{ matchExpressions: [{ key: "a", operator: "In" }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: "a", operator: "NotIn", values: [] }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, `values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist`],
    [{ matchExpressions: [{ key: "a", operator: "Foo" }] }, `"Foo" is not a valid label selector operator`],
    [{ matchLabels: { "-a": "b" } }, `key: Invalid value: "-a": ${NAME_PART}`],
    [{ matchLabels: { a: "-b" } }, `values[0][a]: Invalid value: "-b": ${LABEL_VALUE}`],
    [{ matchExpressions: [{ key: "a", operator: "In", values: ["ok", "-x", "-y"] }] }, `[values[1][a]: Invalid value: "-x": ${LABEL_VALUE}, values[2][a]: Invalid value: "-y": ${LABEL_VALUE}]`],
  ];
  for (const [object, message] of cases) {
    assert.throws(() => LabelSelector.fromObject(object), (err: unknown) => err instanceof SelectorError && err.message === message, JSON.stringify(object));
  }
});

test("LabelSelector validation reports field errors at their paths", () => {
  const selector: LabelSelectorObject = {
    matchLabels: { "a/b/c": "ok", good: "-bad" },
    matchExpressions: [
      { key: "k", operator: "In" },
      { key: "k", operator: "Exists", values: ["v"] },
      { key: "k", operator: "Gt", values: ["1"] },
      { key: "k", operator: "In", values: ["-x"] },
    ],
  };
  const messages = validateLabelSelector(selector, "spec.selector").map(fieldErrorMessage);
  assert.deepEqual(messages, [
    `spec.selector.matchLabels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character ${KEY_REGEX} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    `spec.selector.matchLabels: Invalid value: "-bad": ${LABEL_VALUE}`,
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    `spec.selector.matchExpressions[2].operator: Invalid value: "Gt": not a valid selector operator`,
    `spec.selector.matchExpressions[3].values[0]: Invalid value: "-x": ${LABEL_VALUE}`,
  ]);
  assert.deepEqual(validateLabelSelector(null, "spec.selector"), []);
  assert.deepEqual(validateLabelSelector({ matchExpressions: [{ key: "k", operator: "In", values: ["-x"] }] }, "s", { allowInvalidLabelValueInSelector: true }), []);
});

test("a selector reports the value it requires for a key", () => {
  const selector = LabelSelector.parse("a=1,b in (2),c in (3,4),d!=5,e==6");
  assert.deepEqual(["a", "b", "c", "d", "e", "f"].map((k) => selector.requiresExactMatch(k)), ["1", "2", undefined, undefined, "6", undefined]);
  assert.equal(LabelSelector.fromSet({ b: "2", a: "1" }).toString(), "a=1,b=2");
  assert.equal(LabelSelector.everything().matches({}), true);
  assert.equal(LabelSelector.nothing().matches({}), false);
});

test("a compiled selector filters thirty thousand label sets", () => {
  const selector = LabelSelector.parse("app=web,tier in (front,edge),!canary");
  const objects = Array.from({ length: 30_000 }, (_, i) => ({ app: i % 2 ? "web" : "db", tier: i % 3 ? "front" : "back", ...(i % 5 ? {} : { canary: "1" }) }));
  const count = objects.filter((labels) => selector.matches(labels)).length;
  assert.equal(count, objects.filter((_, i) => i % 2 === 1 && i % 3 !== 0 && i % 5 !== 0).length);
});
