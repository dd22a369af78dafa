// Admission webhooks through the real kubectl against an HTTPS webhook on 127.0.0.1 with its own
// CA: a validating webhook refuses with upstream's message, a mutating one patches the object, a
// webhook that is down fails the request under Fail and is skipped under Ignore, a certificate
// from another CA is refused, and matchConditions and namespace selectors decide who is called.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { startWebhookServer, type WebhookServer } from "../support/webhook-server.js";

function configuration(kind: "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration", name: string, hook: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind,
    metadata: { name },
    webhooks: [{
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }],
      ...hook,
    }],
  });
}

describe("admission webhooks", () => {
  let server: TestServer;
  let webhook: WebhookServer;
  before(async () => {
    server = await startTestServer();
    webhook = await startWebhookServer((path, request) => {
      const data = (request.object?.data ?? {}) as Record<string, string>;
      if (path === "/validate") return data.forbidden ? { allowed: false, status: { code: 403, message: "forbidden data is not allowed" } } : { allowed: true, warnings: ["checked by the test webhook"] };
      if (path === "/mutate") return { allowed: true, patch: [{ op: "add", path: "/metadata/labels", value: { mutated: "yes" } }] };
      if (path === "/annotate") {
        const labels = ((request.object?.metadata ?? {}) as { labels?: Record<string, string> }).labels ?? {};
        return { allowed: true, patch: [{ op: "add", path: "/metadata/annotations", value: { "seen-labels": Object.keys(labels).sort().join(",") } }] };
      }
      return { allowed: true };
    });
    for (const ns of ["hooks", "quiet"]) assert.equal((await server.kubectl(["create", "namespace", ns])).code, 0);
  });
  after(async () => {
    await server.close();
    await webhook.close();
  });

  it("refuses with the validating webhook's message and passes its warnings on", async () => {
    const config = configuration("ValidatingWebhookConfiguration", "deny-forbidden", {
      name: "deny.example.com",
      clientConfig: { url: webhook.url("/validate"), caBundle: webhook.caBundle },
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "hooks" } },
    });
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: config })).code, 0);
    const denied = await server.kubectl(["create", "configmap", "bad", "--from-literal=forbidden=1", "-n", "hooks"]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /admission webhook "deny.example.com" denied the request: forbidden data is not allowed/);
    const allowed = await server.kubectl(["create", "configmap", "good", "--from-literal=a=1", "-n", "hooks"]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /Warning: checked by the test webhook/);
    const review = webhook.received.find((r) => (r.object as { metadata?: { name?: string } }).metadata?.name === "good")!;
    assert.equal(review.operation, "CREATE");
    assert.deepEqual(review.kind, { group: "", version: "v1", kind: "ConfigMap" });
    assert.equal(review.namespace, "hooks");
    assert.equal((await server.kubectl(["create", "configmap", "bad", "--from-literal=forbidden=1", "-n", "quiet"])).code, 0, "the namespace selector leaves other namespaces alone");
  });

  it("applies a mutating webhook's JSON patch", async () => {
    const config = configuration("MutatingWebhookConfiguration", "add-label", {
      name: "mutate.example.com",
      clientConfig: { url: webhook.url("/mutate"), caBundle: webhook.caBundle },
      matchConditions: [{ name: "only-labelled-names", expression: "object.metadata.name.startsWith('m-')" }],
    });
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: config })).code, 0);
    assert.equal((await server.kubectl(["create", "configmap", "m-one", "-n", "quiet"])).code, 0);
    assert.equal((await server.kubectl(["get", "configmap", "m-one", "-n", "quiet", "-o", "jsonpath={.metadata.labels.mutated}"])).stdout, "yes");
    assert.equal((await server.kubectl(["create", "configmap", "other", "-n", "quiet"])).code, 0);
    assert.equal((await server.kubectl(["get", "configmap", "other", "-n", "quiet", "-o", "jsonpath={.metadata.labels}"])).stdout, "", "matchConditions skip the webhook");
    assert.equal((await server.kubectl(["delete", "mutatingwebhookconfiguration", "add-label"])).code, 0);
  });

  it("calls an IfNeeded webhook again after a later webhook changed the object", async () => {
    const annotate = configuration("MutatingWebhookConfiguration", "a-annotate", { name: "annotate.example.com", reinvocationPolicy: "IfNeeded", clientConfig: { url: webhook.url("/annotate"), caBundle: webhook.caBundle } });
    const label = configuration("MutatingWebhookConfiguration", "b-label", { name: "mutate.example.com", clientConfig: { url: webhook.url("/mutate"), caBundle: webhook.caBundle } });
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: `${annotate}\n${label}` })).code, 0);
    assert.equal((await server.kubectl(["create", "configmap", "again", "-n", "quiet"])).code, 0);
    const seen = await server.kubectl(["get", "configmap", "again", "-n", "quiet", "-o", "jsonpath={.metadata.annotations.seen-labels}"]);
    assert.equal(seen.stdout, "mutated", "the annotating webhook saw the label added after its first call");
    assert.equal((await server.kubectl(["delete", "mutatingwebhookconfiguration", "a-annotate", "b-label"])).code, 0);
  });

  it("fails closed under Fail and open under Ignore when the webhook is down, and checks the CA", async () => {
    const down = "https://127.0.0.1:1/validate";
    const fail = configuration("ValidatingWebhookConfiguration", "down-fail", { name: "down.example.com", failurePolicy: "Fail", clientConfig: { url: down, caBundle: webhook.caBundle }, timeoutSeconds: 2 });
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: fail })).code, 0);
    const refused = await server.kubectl(["create", "configmap", "c1", "-n", "quiet"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https:\/\/127.0.0.1:1\/validate\?timeout=2s": dial tcp 127.0.0.1:1: connect: connection refused/);
    const ignore = configuration("ValidatingWebhookConfiguration", "down-fail", { name: "down.example.com", failurePolicy: "Ignore", clientConfig: { url: down, caBundle: webhook.caBundle } });
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: ignore })).code, 0);
    assert.equal((await server.kubectl(["create", "configmap", "c1", "-n", "quiet"])).code, 0);
    const otherCa = (await startWebhookServer(() => ({ allowed: true })));
    try {
      const wrongCa = configuration("ValidatingWebhookConfiguration", "down-fail", { name: "down.example.com", clientConfig: { url: webhook.url("/validate"), caBundle: otherCa.caBundle } });
      assert.equal((await server.kubectl(["apply", "-f", "-"], { input: wrongCa })).code, 0);
      const untrusted = await server.kubectl(["create", "configmap", "c2", "-n", "quiet"]);
      assert.match(untrusted.stderr, /failed calling webhook "down.example.com": failed to call webhook: Post .*tls: failed to verify certificate/);
    } finally {
      await otherCa.close();
      await server.kubectl(["delete", "validatingwebhookconfiguration", "down-fail"]);
    }
  });

  it("explains that a service without ready endpoints cannot be called", async () => {
    assert.equal((await server.kubectl(["create", "service", "clusterip", "hook", "--tcp=443:9443", "-n", "quiet"])).code, 0);
    const config = configuration("ValidatingWebhookConfiguration", "in-cluster", { name: "svc.example.com", clientConfig: { service: { name: "hook", namespace: "quiet" }, caBundle: webhook.caBundle } });
    assert.equal((await server.kubectl(["apply", "-f", "-"], { input: config })).code, 0);
    const result = await server.kubectl(["create", "configmap", "c3", "-n", "quiet"]);
    assert.match(result.stderr, /failed calling webhook "svc.example.com": could not get REST client: service quiet\/hook has no ready endpoint for port 443/);
    assert.equal((await server.kubectl(["delete", "validatingwebhookconfiguration", "in-cluster"])).code, 0);
  });

  it("refuses a webhook configuration without sideEffects or with a plain http url", async () => {
    const bad = JSON.stringify({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "bad" },
      webhooks: [{ name: "bad.example.com", admissionReviewVersions: ["v1"], clientConfig: { url: "http://127.0.0.1:9/x" } }],
    });
    const result = await server.kubectl(["apply", "-f", "-"], { input: bad });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /webhooks\[0\]\.sideEffects: Required value/);
    assert.match(result.stderr, /webhooks\[0\]\.clientConfig\.url: Invalid value: "http:\/\/127.0.0.1:9\/x": 'https' is the only allowed URL scheme/);
  });
});
