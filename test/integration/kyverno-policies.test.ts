// Kyverno-compatible policies through kubectl: the article's require-non-root ClusterPolicy applies
// unchanged; its Pod rule refuses Pods and, through the auto-generated rules, Deployments whose
// template breaks it, with Kyverno's message; compliant Deployments run; an Audit policy allows,
// warns and reports.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CORE_V1 } from "../../src/client/client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const ARTICLE_POLICY = "/work/shared/examples/require-non-root.yaml";

function deployment(name: string, securityContext?: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "busybox", ...(securityContext ? { securityContext } : {}) }] } },
    },
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("kyverno-compatible policies", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ simulatedNodes: 1 });
  });
  after(() => server.close());

  it("applies the article's ClusterPolicy and shows it ready with its auto-generated rules", async () => {
    // A Deployment from before the policy, for the existing-violations case below.
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: deployment("legacy") })).code, 0);
    const applied = await server.kubectl(["apply", "-f", ARTICLE_POLICY]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /clusterpolicy.kyverno.io\/require-non-root created/);
    const get = await server.kubectl(["get", "cpol"]);
    assert.match(get.stdout, /NAME\s+ADMISSION\s+BACKGROUND\s+READY\s+AGE\s+MESSAGE\s*\nrequire-non-root\s+true\s+true\s+True\s+\S+\s+Ready/);
    const autogen = await server.kubectl(["get", "clusterpolicy", "require-non-root", "-o", "jsonpath={.status.autogen.rules[*].name}"]);
    assert.equal(autogen.stdout, "autogen-check-non-root autogen-cronjob-check-non-root");
  });

  it("refuses a Deployment whose containers may run as root, with Kyverno's message", async () => {
    const result = await server.kubectl(["apply", "-f", "-"], { input: deployment("rooty") });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /admission webhook "validate.kyverno.svc-fail" denied the request:/);
    assert.match(result.stderr, /resource Deployment\/default\/rooty was blocked due to the following policies/);
    assert.match(result.stderr, /require-non-root:\n\s+autogen-check-non-root: 'validation error: Containers must run as non-root. rule autogen-check-non-root failed at path \/spec\/template\/spec\/containers\/0\/securityContext\/'/);
    const created = await server.kubectl(["create", "deployment", "web", "--image=nginx"]);
    assert.match(created.stderr, /^error: failed to create deployment: admission webhook "validate.kyverno.svc-fail" denied the request: \n\nresource Deployment\/default\/web was blocked/);
    const pod = await server.kubectl(["run", "root-pod", "--image=busybox"]);
    assert.match(pod.stderr, /check-non-root: 'validation error: Containers must run as non-root. rule check-non-root failed at path \/spec\/containers\/0\/securityContext\/'/);
  });

  it("creates a Deployment that runs as non-root, and admits its pods", async () => {
    const result = await server.kubectl(["apply", "-f", "-"], { input: deployment("safe", { runAsNonRoot: true, runAsUser: 1000 }) });
    assert.equal(result.code, 0, result.stderr);
    const client = server.client({ name: "test", groups: ["system:masters"] }, "test");
    const pods = await until("the Deployment's pod", async () => {
      const list = await client.list(CORE_V1("pods"), { namespace: "default", labelSelector: "app=safe" });
      return list.items.length > 0 ? list.items : undefined;
    });
    assert.equal(pods.length, 1);
  });

  it("lets updates keep a violation the object had before the policy", async () => {
    const label = await server.kubectl(["label", "deployment", "legacy", "tier=web"]);
    assert.equal(label.code, 0, label.stderr);
    const image = await server.kubectl(["set", "image", "deployment/legacy", "app=busybox:1.36"]);
    assert.equal(image.code, 0, image.stderr);
  });

  it("lets an Audit policy allow, warn and report", async () => {
    const policy = {
      apiVersion: "kyverno.io/v1",
      kind: "Policy",
      metadata: { name: "require-team", namespace: "default" },
      spec: {
        validationFailureAction: "Audit",
        rules: [{ name: "check-team", match: { any: [{ resources: { kinds: ["ConfigMap"] } }] }, validate: { message: "label 'team' is required", pattern: { metadata: { labels: { team: "?*" } } } } }],
      },
    };
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(policy) })).code, 0);
    assert.match((await server.kubectl(["get", "pol"])).stdout, /require-team\s+true\s+true\s+True/);
    const created = await server.kubectl(["create", "configmap", "unowned", "--from-literal=a=1"]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /Warning: policy require-team.check-team: validation error: label 'team' is required. rule check-team failed at path \/metadata\/labels\//);
    const report = await until("the policy report", async () => {
      const r = await server.kubectl(["get", "polr"]);
      return /ConfigMap\s+unowned\s+0\s+1\s+0\s+0\s+0/.test(r.stdout) ? r.stdout : undefined;
    });
    assert.match(report, /NAME\s+KIND\s+NAME\s+PASS\s+FAIL\s+WARN\s+ERROR\s+SKIP\s+AGE/);
  });

  it("refuses a policy without rules with a 422", async () => {
    const bad = { apiVersion: "kyverno.io/v1", kind: "ClusterPolicy", metadata: { name: "empty" }, spec: { validationFailureAction: "Block" } };
    const result = await server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(bad) });
    assert.match(result.stderr, /The ClusterPolicy "empty" is invalid: \n\* spec.validationFailureAction: Unsupported value: "Block"/);
    assert.match(result.stderr, /spec.rules: Required value: a policy needs at least one rule/);
  });
});
