// Kyverno's pattern language, table-driven: scalar patterns (operators, wildcards, ranges,
// quantities, durations), anchors (conditional, global, existence, equality, negation), and the
// failure paths Kyverno reports.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchPattern } from "../../../src/api/admission/kyverno/pattern.js";
import { matchesValue } from "../../../src/api/admission/kyverno/pattern-value.js";

describe("kyverno pattern values", () => {
  const cases: Array<[unknown, unknown, boolean]> = [
    ["nginx:1.25", "nginx:*", true],
    ["nginx:latest", "!*:latest", false],
    ["nginx:1.25", "!*:latest", true],
    ["a", "?", true],
    ["", "?*", false],
    [undefined, "?*", false],
    ["prod", "dev | staging | prod", true],
    ["test", "dev | staging | prod", false],
    [5, ">4", true],
    [5, "<=4", false],
    ["512Mi", "<1Gi", true],
    ["2Gi", "<1Gi", false],
    ["250m", ">=0.25", true],
    ["30s", "<1m", true],
    ["2h", "<1m", false],
    [8080, "1024-65535", true],
    [80, "1024-65535", false],
    [80, "1024!-65535", true],
    ["3", ">1 & <5", true],
    [true, true, true],
    ["true", true, false],
    [3, 3, true],
    ["3", 3, true],
    [null, null, true],
    ["", null, true],
    ["x", null, false],
    [{ a: 1 }, {}, true],
  ];
  for (const [value, pattern, expected] of cases) {
    it(`${JSON.stringify(value)} against ${JSON.stringify(pattern)} is ${expected}`, () => assert.equal(matchesValue(value, pattern), expected));
  }
});

describe("kyverno patterns", () => {
  const pod = (containers: unknown[], extra: Record<string, unknown> = {}) => ({ metadata: { name: "p", labels: { app: "web", "app.kubernetes.io/team": "a" } }, spec: { containers, ...extra } });

  it("requires every list element to match and names the failing path", () => {
    const pattern = { spec: { containers: [{ securityContext: { runAsNonRoot: true } }] } };
    assert.deepEqual(matchPattern(pod([{ name: "a", securityContext: { runAsNonRoot: true } }]), pattern), { outcome: "pass" });
    const missing = matchPattern(pod([{ name: "a", securityContext: { runAsNonRoot: true } }, { name: "b" }]), pattern);
    assert.equal(missing.outcome, "fail");
    assert.equal(missing.outcome === "fail" && missing.path, "/spec/containers/1/securityContext/");
    const wrong = matchPattern(pod([{ name: "a", securityContext: { runAsNonRoot: false } }]), pattern);
    assert.equal(wrong.outcome === "fail" && wrong.path, "/spec/containers/0/securityContext/runAsNonRoot/");
  });

  it("applies a conditional anchor's siblings only when it matches", () => {
    const pattern = { spec: { containers: [{ "(image)": "*:latest", imagePullPolicy: "Always" }] } };
    assert.equal(matchPattern(pod([{ image: "nginx:1.25" }]), pattern).outcome, "skip");
    assert.equal(matchPattern(pod([{ image: "nginx:latest", imagePullPolicy: "Always" }, { image: "nginx:1" }]), pattern).outcome, "pass");
    const failed = matchPattern(pod([{ image: "nginx:latest", imagePullPolicy: "IfNotPresent" }]), pattern);
    assert.equal(failed.outcome === "fail" && failed.path, "/spec/containers/0/imagePullPolicy/");
  });

  it("skips the whole rule when a global anchor does not match", () => {
    const pattern = { spec: { containers: [{ "<(image)": "internal.io/*" }], imagePullSecrets: [{ name: "regcred" }] } };
    assert.equal(matchPattern(pod([{ image: "docker.io/nginx" }]), pattern).outcome, "skip");
    assert.equal(matchPattern(pod([{ image: "internal.io/app" }], { imagePullSecrets: [{ name: "regcred" }] }), pattern).outcome, "pass");
    assert.equal(matchPattern(pod([{ image: "internal.io/app" }]), pattern).outcome, "fail");
  });

  it("checks equality anchors only when present, and negation anchors for absence", () => {
    const pattern = { spec: { "=(hostNetwork)": false, "X(hostPID)": "null" } };
    assert.equal(matchPattern(pod([]), pattern).outcome, "pass");
    assert.equal(matchPattern(pod([], { hostNetwork: true }), pattern).outcome, "fail");
    const negated = matchPattern(pod([], { hostPID: false }), pattern);
    assert.equal(negated.outcome === "fail" && negated.path, "/spec/hostPID/");
  });

  it("needs one list element to match an existence anchor", () => {
    const pattern = { spec: { "^(containers)": [{ image: "sidecar:*" }] } };
    assert.equal(matchPattern(pod([{ image: "app:1" }, { image: "sidecar:2" }]), pattern).outcome, "pass");
    assert.equal(matchPattern(pod([{ image: "app:1" }]), pattern).outcome, "fail");
  });

  it("expands wildcard label keys and matches `*` as any present value", () => {
    assert.equal(matchPattern(pod([]), { metadata: { labels: { "app.kubernetes.io/*": "?*" } } }).outcome, "pass");
    assert.equal(matchPattern(pod([]), { metadata: { labels: { app: "*" } } }).outcome, "pass");
    assert.equal(matchPattern(pod([]), { metadata: { labels: { tier: "*" } } }).outcome, "fail");
  });
});
