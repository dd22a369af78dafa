// kubectl's OpenAPI v2 paths against a real kubelite server: an object of a group/version nobody
// serves fails with upstream's "no matches for kind" (kubectl falls back to /openapi/v2 as gnostic
// protobuf to validate it, and must get a document it can read), `explain` in the v2 format reads
// the protobuf document, and applying a served kind still works.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "../support/test-server.js";

const EXAMPLES = fileURLToPath(new URL("../../../../shared/examples/", import.meta.url));
// A kind no one serves (kubelite serves Kyverno's ClusterPolicy built in).
const WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
const DEPLOYMENT = join(EXAMPLES, "deployment.yaml");

describe("kubectl and /openapi/v2", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it("refuses a kind before its CRD exists with upstream's no-matches error", async () => {
    const result = await server.kubectl(["apply", "-f", "-"], { input: WIDGET });
    assert.notEqual(result.code, 0);
    assert.equal(
      result.stderr,
      `error: resource mapping not found for name: "w" namespace: "" from "STDIN": no matches for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first\n`,
    );
  });

  it("explains deployment.spec from the OpenAPI v2 protobuf document", async () => {
    const result = await server.kubectl(["explain", "deployment.spec", "--output=plaintext-openapiv2"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^KIND: {5}Deployment\nVERSION: {2}apps\/v1\n\nRESOURCE: spec <Object>\n/);
    assert.match(result.stdout, /DeploymentSpec is the specification of the desired behavior of the\s+Deployment\./);
    assert.match(result.stdout, /\n {3}replicas\t<integer>\n/);
    assert.match(result.stdout, /\n {3}template\t<Object> -required-\n/);
  });

  it("still applies a Deployment", async () => {
    const result = await server.kubectl(["apply", "-f", DEPLOYMENT]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /deployment.apps\/api-server created/);
  });

  it("serves the v2 document as JSON to a JSON client", async () => {
    const result = await server.kubectl(["get", "--raw", "/openapi/v2"]);
    assert.equal(result.code, 0, result.stderr);
    const swagger = JSON.parse(result.stdout) as { swagger: string; definitions: Record<string, unknown> };
    assert.equal(swagger.swagger, "2.0");
    assert.ok(swagger.definitions["io.k8s.api.apps.v1.Deployment"]);
  });
});
