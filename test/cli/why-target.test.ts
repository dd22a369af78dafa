// How `kubelite why traffic` reads its --from and --to references.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTarget, TargetError } from "../../src/cli/why/traffic.js";

describe("why traffic references", () => {
  const cases: [string, boolean, object][] = [
    ["pod/a", false, { kind: "pod", namespace: "default", name: "a", port: undefined }],
    ["po/a", false, { kind: "pod", namespace: "default", name: "a", port: undefined }],
    ["prod/pod/a", false, { kind: "pod", namespace: "prod", name: "a", port: undefined }],
    ["svc/b:8080", true, { kind: "service", namespace: "default", name: "b", port: "8080" }],
    ["service/b:http", true, { kind: "service", namespace: "default", name: "b", port: "http" }],
    ["10.42.0.4:8080", true, { kind: "ip", namespace: "default", name: "10.42.0.4", port: "8080" }],
    ["10.42.0.4", false, { kind: "ip", namespace: "default", name: "10.42.0.4", port: undefined }],
  ];
  for (const [text, withPort, expected] of cases) {
    it(`reads ${text}`, () => assert.deepEqual(parseTarget(text, "default", withPort), expected));
  }

  it("refuses what it cannot read, saying what it expects", () => {
    assert.throws(() => parseTarget("deploy/a:80", "default", true), (e: unknown) => e instanceof TargetError && /expected pod\/NAME, svc\/NAME:PORT or an IP address/.test(e.message));
    assert.throws(() => parseTarget("svc/a", "default", true), /say which port, as svc\/a:PORT/);
    assert.throws(() => parseTarget("svc/a:", "default", true), /the port after ":" is empty/);
    assert.throws(() => parseTarget("a/b/c/d", "default", false), TargetError);
  });
});
