// CEL for admission: Kubernetes' library functions, JSON numbers as CEL ints, policy evaluation
// with lazy variables, messageExpression fallbacks and failurePolicy on errors; type checking of
// selected fields against the matched kinds' schemas.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdmissionCel } from "../../../src/api/admission/cel/environment.js";
import { toCel } from "../../../src/api/admission/cel/values.js";
import { compilePolicy } from "../../../src/api/admission/validating-policy/compile.js";
import { evaluatePolicy } from "../../../src/api/admission/validating-policy/evaluate.js";
import { PolicyTypeChecker } from "../../../src/api/admission/validating-policy/type-check.js";
import { builtinSchemas } from "../../../src/api/schema.js";

const cel = new AdmissionCel();

function run(expression: string, object: unknown = {}, hasParams = false, params: unknown = null): unknown {
  const compiled = cel.compile(expression, hasParams);
  if (!compiled.program) throw new Error(compiled.error);
  return compiled.program({ object: toCel(object), oldObject: null, request: {}, namespaceObject: null, variables: {}, ...(hasParams ? { params: toCel(params) } : {}) });
}

function policy(spec: Record<string, unknown>) {
  return compilePolicy(cel, { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: "p" }, spec: { matchConstraints: { resourceRules: [] }, ...spec } });
}

describe("admission CEL", () => {
  const table: [string, unknown, unknown][] = [
    ["object.spec.replicas <= 5", { spec: { replicas: 6 } }, false],
    ["object.spec.replicas <= 5", { spec: { replicas: 5 } }, true],
    ["has(object.metadata.labels) && object.metadata.labels.app == 'web'", { metadata: { labels: { app: "web" } } }, true],
    ["has(object.spec.foo)", { spec: {} }, false],
    ["object.spec.containers.all(c, c.image.startsWith('registry.local/'))", { spec: { containers: [{ image: "registry.local/a" }, { image: "docker.io/b" }] } }, false],
    ["object.spec.containers.exists(c, c.name.matches('^side'))", { spec: { containers: [{ name: "sidecar" }] } }, true],
    ["size(object.spec.containers) == 2", { spec: { containers: [{}, {}] } }, true],
    ["[3, 1, 2].isSorted()", {}, false],
    ["[1, 2, 3].sum() == 6", {}, true],
    ["[4, 2, 9].min() == 2 && [4, 2, 9].max() == 9", {}, true],
    ["['a', 'b', 'a'].lastIndexOf('a') == 2", {}, true],
    ["'abc123def45'.findAll('[0-9]+') == ['123', '45']", {}, true],
    ["'abc123'.find('[0-9]+') == '123'", {}, true],
    ["quantity(object.limit).isGreaterThan(quantity('512Mi'))", { limit: "1Gi" }, true],
    ["quantity('1500m').compareTo(quantity('1.5')) == 0", {}, true],
    ["quantity('2').add(quantity('500m')) == quantity('2.5')", {}, true],
    ["isQuantity('10Mi') && !isQuantity('ten')", {}, true],
    ["object.?spec.?replicas.orValue(1) == 1", { spec: {} }, true],
    ["'a-b-c'.replace('-', '.') == 'a.b.c'", {}, true],
  ];
  for (const [expression, object, expected] of table) {
    it(`evaluates ${expression}`, () => assert.equal(run(expression, object), expected));
  }

  it("refuses undeclared variables and `params` without a paramKind", () => {
    assert.match(cel.compile("foo > 1", false).error ?? "", /foo/);
    assert.ok(cel.compile("params.x", false).error);
    assert.equal(run("params.data.max == '3'", {}, true, { data: { max: "3" } }), true);
  });

  it("computes variables once, lazily, and lets later ones use earlier ones", () => {
    const p = policy({
      variables: [
        { name: "containers", expression: "object.spec.containers" },
        { name: "count", expression: "size(variables.containers)" },
        { name: "broken", expression: "object.missing.field" },
      ],
      validations: [{ expression: "variables.count <= 1", messageExpression: "'too many containers: ' + string(variables.count)" }],
    });
    assert.deepEqual(p.errors, []);
    const decisions = evaluatePolicy(p, { object: toCel({ spec: { containers: [{}, {}] } }), oldObject: null, request: {}, namespaceObject: null, params: null });
    assert.deepEqual(decisions, [{ action: "deny", message: "too many containers: 2", reason: "Invalid" }]);
  });

  it("falls back from messageExpression to message to the expression", () => {
    const p = policy({
      validations: [
        { expression: "false", messageExpression: "1 + 1 == 2 ? '' : 'x'", message: "static message" },
        { expression: "1 == 2 " },
      ],
    });
    const decisions = evaluatePolicy(p, { object: {}, oldObject: null, request: {}, namespaceObject: null, params: null });
    assert.deepEqual(decisions.map((d) => d.message), ["static message", "failed expression: 1 == 2"]);
  });

  it("turns an evaluation error into a denial under Fail and an admission under Ignore", () => {
    const spec = { validations: [{ expression: "object.spec.replicas < 3" }] };
    const activation = { object: toCel({}), oldObject: null, request: {}, namespaceObject: null, params: null };
    assert.equal(evaluatePolicy(policy({ ...spec, failurePolicy: "Fail" }), activation)[0]?.action, "deny");
    assert.equal(evaluatePolicy(policy({ ...spec, failurePolicy: "Ignore" }), activation)[0]?.action, "admit");
  });

  it("skips validations when a match condition is false and reports compile errors with their field", () => {
    const p = policy({ matchConditions: [{ name: "only-prod", expression: "object.metadata.name.startsWith('prod-')" }], validations: [{ expression: "false" }] });
    assert.deepEqual(evaluatePolicy(p, { object: toCel({ metadata: { name: "dev-1" } }), oldObject: null, request: {}, namespaceObject: null, params: null }), []);
    const broken = policy({ validations: [{ expression: "object.spec.replicas <=" }] });
    assert.equal(broken.errors[0]?.field, "spec.validations[0].expression");
  });
});

describe("policy type checking", () => {
  const checker = new PolicyTypeChecker(builtinSchemas(), (_group, _version, resource) =>
    resource === "deployments" ? { group: "apps", version: "v1", kind: "Deployment" } : resource === "deployments/scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : undefined);
  const check = (expression: string, resources = ["deployments"]) =>
    checker.check({ spec: { matchConstraints: { resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], resources }] }, validations: [{ expression }] } });

  it("accepts fields the schema has, through lists, maps and optional selects", () => {
    assert.deepEqual(check("object.spec.template.spec.containers.all(c, c.resources.limits.cpu != '') && object.metadata.labels.app == 'x' && object.?spec.?replicas.orValue(1) > 0"), []);
  });

  it("reports an undefined field per matched kind with cel-go's position and caret", () => {
    const [warning] = check("object.spec.replicas > 1 && object.spec.replica < 9", ["deployments", "deployments/scale"]);
    assert.equal(warning?.warning, [
      "apps/v1, Kind=Deployment: ERROR: <input>:1:40: undefined field 'replica'",
      " | object.spec.replicas > 1 && object.spec.replica < 9",
      ` | ${".".repeat(39)}^`,
      "autoscaling/v1, Kind=Scale: ERROR: <input>:1:40: undefined field 'replica'",
      " | object.spec.replicas > 1 && object.spec.replica < 9",
      ` | ${".".repeat(39)}^`,
    ].join("\n"));
  });
});
