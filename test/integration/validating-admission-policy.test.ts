// ValidatingAdmissionPolicy through the real kubectl: a CEL rule bound to a labelled namespace
// refuses a Deployment with too many replicas with upstream's message, a scale to 6 only when the
// policy matches deployments/scale, Warn answers with a warning, and a param ConfigMap sets the limit.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.js";

const POLICY = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: max-replicas
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: max-replicas-binding
spec:
  policyName: max-replicas
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
`;

const rule = (group: string, resource: string, operations = ["CREATE", "UPDATE"]) => ({ apiGroups: [group], apiVersions: ["v1"], operations, resources: [resource] });
const inNamespace = (namespace: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } });

/** A policy (and its binding, when given) as kubectl apply input. */
function policy(name: string, spec: Record<string, unknown>, binding?: Record<string, unknown>): string {
  const docs: unknown[] = [{ apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name }, spec }];
  if (binding) docs.push({ apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: `${name}-binding` }, spec: { policyName: name, ...binding } });
  return docs.map((d) => JSON.stringify(d)).join("\n");
}

describe("validating admission policies", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    for (const ns of ["vap-test", "vap-other", "vap-warn", "vap-params"]) assert.equal((await server.kubectl(["create", "namespace", ns])).code, 0);
    assert.equal((await server.kubectl(["label", "namespace", "vap-test", "environment=test"])).code, 0);
    const applied = await server.kubectl(["apply", "-f", "-"], { input: POLICY });
    assert.equal(applied.code, 0, applied.stderr);
  });
  after(() => server.close());

  it("refuses a Deployment with 6 replicas in a bound namespace with upstream's message", async () => {
    const result = await server.kubectl(["create", "deployment", "x", "--image=nginx", "--replicas=6", "-n", "vap-test"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /deployments\.apps "x" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: failed expression: object\.spec\.replicas <= 5/);
    assert.equal((await server.kubectl(["create", "deployment", "x", "--image=nginx", "--replicas=6", "-n", "vap-other"])).code, 0, "unbound namespace");
    assert.equal((await server.kubectl(["create", "deployment", "y", "--image=nginx", "--replicas=5", "-n", "vap-test"])).code, 0);
  });

  it("evaluates the Scale object for kubectl scale only when the policy matches deployments/scale", async () => {
    assert.equal((await server.kubectl(["scale", "deployment", "y", "--replicas=6", "-n", "vap-test"])).code, 0, "deployments does not match deployments/scale");
    assert.equal((await server.kubectl(["scale", "deployment", "y", "--replicas=2", "-n", "vap-test"])).code, 0);
    const patch = JSON.stringify([{ op: "add", path: "/spec/matchConstraints/resourceRules/0/resources/-", value: "deployments/scale" }]);
    assert.equal((await server.kubectl(["patch", "validatingadmissionpolicy", "max-replicas", "--type=json", `-p=${patch}`])).code, 0);
    const scaled = await server.kubectl(["scale", "deployment", "y", "--replicas=6", "-n", "vap-test"]);
    assert.notEqual(scaled.code, 0);
    // A 422 Invalid with one cause: kubectl prints it as it prints upstream's, from the cause.
    assert.match(scaled.stderr, /The deployments "y" is invalid: : ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: failed expression: object\.spec\.replicas <= 5/);
  });

  it("warns instead of refusing with the Warn action and a message", async () => {
    const warn = policy(
      "no-latest",
      {
        matchConstraints: { resourceRules: [rule("", "configmaps", ["CREATE"])] },
        variables: [{ name: "mode", expression: "has(object.data) && 'mode' in object.data ? object.data.mode : 'none'" }],
        validations: [{ expression: "variables.mode != 'latest'", messageExpression: "'mode ' + variables.mode + ' is discouraged'" }],
      },
      { validationActions: ["Warn"], matchResources: inNamespace("vap-warn") },
    );
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: warn })).code, 0);
    const result = await server.kubectl(["create", "configmap", "c", "--from-literal=mode=latest", "-n", "vap-warn"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'no-latest' with binding 'no-latest-binding': mode latest is discouraged/);
  });

  it("reads its limit from a param ConfigMap and denies when the param is missing and the binding says Deny", async () => {
    const withParams = policy(
      "replica-limit",
      {
        paramKind: { apiVersion: "v1", kind: "ConfigMap" },
        matchConstraints: { resourceRules: [rule("apps", "deployments")] },
        validations: [{ expression: "object.spec.replicas <= int(params.data.maxReplicas)", messageExpression: "'at most ' + params.data.maxReplicas + ' replicas'", reason: "Forbidden" }],
      },
      { validationActions: ["Deny"], paramRef: { name: "replica-limit", parameterNotFoundAction: "Deny" }, matchResources: inNamespace("vap-params") },
    );
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: withParams })).code, 0);
    const missing = await server.kubectl(["create", "deployment", "p", "--image=nginx", "--replicas=1", "-n", "vap-params"]);
    assert.match(missing.stderr, /ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-binding' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction/);
    assert.equal((await server.kubectl(["create", "configmap", "replica-limit", "--from-literal=maxReplicas=3", "-n", "vap-params"])).code, 0);
    const over = await server.kubectl(["create", "deployment", "p", "--image=nginx", "--replicas=4", "-n", "vap-params", "-v=6"]);
    assert.match(over.stderr, /denied request: at most 3 replicas/);
    assert.match(over.stderr, /403 Forbidden/);
    assert.equal((await server.kubectl(["create", "deployment", "p", "--image=nginx", "--replicas=3", "-n", "vap-params"])).code, 0);
  });

  it("reports fields the matched kinds do not have in status.typeChecking", async () => {
    const typo = policy("typo", {
      matchConstraints: { resourceRules: [rule("apps", "deployments", ["CREATE"])] },
      validations: [{ expression: "object.spec.replica <= 5 && object.spec.template.spec.containers.all(c, has(c.imag))" }],
    });
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: typo })).code, 0);
    const deadline = Date.now() + 15_000;
    let status: { observedGeneration?: number; typeChecking?: { expressionWarnings?: { fieldRef: string; warning: string }[] } } = {};
    while (!status.typeChecking && Date.now() < deadline) {
      status = JSON.parse((await server.kubectl(["get", "validatingadmissionpolicy", "typo", "-o", "jsonpath={.status}"])).stdout || "{}");
      if (!status.typeChecking) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status.observedGeneration, 1);
    const [warning] = status.typeChecking?.expressionWarnings ?? [];
    assert.equal(warning?.fieldRef, "spec.validations[0].expression");
    assert.match(warning?.warning ?? "", /^apps\/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replica'\n \| object\.spec\.replica <= 5/);
    assert.match(warning?.warning ?? "", /undefined field 'imag'/);
  });

  it("refuses a policy whose expression does not compile", async () => {
    const bad = policy("broken", { matchConstraints: { resourceRules: [rule("", "pods", ["CREATE"])] }, validations: [{ expression: "object.spec.replicas <=" }] });
    const result = await server.kubectl(["apply", "-f", "-"], { input: bad });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <=": compilation failed/);
    const table = await server.kubectl(["get", "validatingadmissionpolicies"]);
    assert.match(table.stdout, /NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE/);
    assert.match(table.stdout, /replica-limit\s+1\s+v1\/ConfigMap/);
  });
});
