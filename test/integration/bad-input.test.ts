// Bad input gets a clear Status with the right code and loses nothing: malformed bodies, unknown
// fields, wrong types, oversized and deeply nested bodies, unknown kinds, wrong namespaces, stale
// resourceVersions and anonymous calls. After all of it the server still serves and the stored
// object is unchanged.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiClient, type ApiReply, type RequestOptions } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
const good = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "1" }, ...extra });

describe("bad input", () => {
  let server: TestServer;
  let call: (method: string, path: string, options?: RequestOptions) => Promise<ApiReply>;

  before(async () => {
    server = await startTestServer();
    call = await apiClient(server.kubeconfigPath);
    const created = await call("POST", CONFIGMAPS, { body: good("keep") });
    assert.equal(created.status, 201, created.text);
  });
  after(() => server.close());

  function assertStatus(reply: ApiReply, code: number, reason: string, message: RegExp): void {
    assert.equal(reply.status, code, reply.text);
    const status = reply.json();
    assert.equal(status.kind, "Status");
    assert.equal(status.code, code);
    assert.equal(status.reason, reason);
    assert.match(String(status.message), message);
  }

  it("refuses malformed JSON with 400", async () => {
    assertStatus(await call("POST", CONFIGMAPS, { body: '{"apiVersion": "v1", "kind": ' }), 400, "BadRequest", /not valid JSON/);
  });

  it("refuses malformed YAML with 400", async () => {
    assertStatus(await call("POST", CONFIGMAPS, { body: "apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed", contentType: "application/yaml" }), 400, "BadRequest", /not valid YAML/);
  });

  it("refuses malformed protobuf with 400", async () => {
    assertStatus(await call("POST", CONFIGMAPS, { body: Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff]), contentType: "application/vnd.kubernetes.protobuf" }), 400, "BadRequest", /protobuf/i);
  });

  it("refuses unknown fields when validation is strict", async () => {
    const reply = await call("POST", `${CONFIGMAPS}?fieldValidation=Strict`, { body: good("strict", { dataa: { x: "y" } }) });
    assertStatus(reply, 400, "BadRequest", /strict decoding error: unknown field "dataa"/);
  });

  it("warns about unknown fields by default and drops them", async () => {
    const reply = await call("POST", CONFIGMAPS, { body: good("warned", { dataa: { x: "y" } }) });
    assert.equal(reply.status, 201, reply.text);
    assert.match(String(reply.headers.warning), /^299 - "unknown field \\"dataa\\""$/);
    assert.equal(reply.json().dataa, undefined);
  });

  it("refuses wrong types with 400 naming the field", async () => {
    const reply = await call("POST", "/apis/apps/v1/namespaces/default/deployments", {
      body: JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "typed" }, spec: { replicas: "three" } }),
    });
    assertStatus(reply, 400, "BadRequest", /spec.replicas/);
  });

  it("refuses bodies over 3 MiB with 413", async () => {
    const reply = await call("POST", CONFIGMAPS, { body: good("huge", { data: { blob: "x".repeat(3 * 1024 * 1024 + 10) } }) });
    assertStatus(reply, 413, "RequestEntityTooLarge", /too large/);
  });

  it("refuses absurdly deep nesting with 400", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    assertStatus(await call("POST", CONFIGMAPS, { body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${deep}}` }), 400, "BadRequest", /nested/);
  });

  it("refuses an unsupported content type with 415", async () => {
    assertStatus(await call("POST", CONFIGMAPS, { body: "a=b", contentType: "text/csv" }), 415, "UnsupportedMediaType", /text\/csv/);
  });

  it("answers 404 for an unknown kind", async () => {
    assertStatus(await call("GET", "/api/v1/namespaces/default/widgets"), 404, "NotFound", /widgets/);
  });

  it("answers 404 for a namespace that does not exist", async () => {
    assertStatus(await call("POST", "/api/v1/namespaces/nowhere/configmaps", { body: good("lost") }), 404, "NotFound", /namespaces "nowhere" not found/);
  });

  it("refuses an object whose namespace disagrees with the URL", async () => {
    const reply = await call("POST", CONFIGMAPS, { body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "kube-system" } }) });
    assertStatus(reply, 400, "BadRequest", /namespace of the provided object does not match/);
  });

  it("refuses a kind posted to another kind's endpoint", async () => {
    assertStatus(await call("POST", CONFIGMAPS, { body: JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }) }), 400, "BadRequest", /Secret/);
  });

  it("answers 409 AlreadyExists for a duplicate name", async () => {
    assertStatus(await call("POST", CONFIGMAPS, { body: good("keep") }), 409, "AlreadyExists", /configmaps "keep" already exists/);
  });

  it("answers 409 Conflict for a stale resourceVersion", async () => {
    const stale = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "keep", resourceVersion: "1" }, data: { a: "2" } });
    assertStatus(await call("PUT", `${CONFIGMAPS}/keep`, { body: stale }), 409, "Conflict", /the object has been modified/);
  });

  it("answers 422 Invalid with the field for an invalid object", async () => {
    const reply = await call("POST", CONFIGMAPS, { body: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Not_Valid" } }) });
    assertStatus(reply, 422, "Invalid", /ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid"/);
  });

  it("answers 401 to anonymous requests but serves health and version", async () => {
    assertStatus(await call("GET", CONFIGMAPS, { anonymous: true }), 401, "Unauthorized", /Unauthorized/);
    assertStatus(await call("GET", CONFIGMAPS, { anonymous: true, bearerToken: "not-a-token" }), 401, "Unauthorized", /Unauthorized/);
    assert.equal((await call("GET", "/healthz", { anonymous: true })).status, 200);
    assert.equal((await call("GET", "/readyz", { anonymous: true })).status, 200);
    assert.equal((await call("GET", "/version", { anonymous: true })).json().minor, "32");
  });

  it("answers 410 Expired for a continue token older than compaction", async () => {
    for (let i = 0; i < 3; i++) await call("POST", CONFIGMAPS, { body: good(`churn-${i}`) });
    const page = (await call("GET", `${CONFIGMAPS}?limit=1`)).json() as { metadata: { continue?: string } };
    assert.ok(page.metadata.continue, "a first page of one item has a continue token");
    await call("POST", CONFIGMAPS, { body: good("after-page") });
    await server.store.compact(await server.store.currentRevision());
    assertStatus(await call("GET", `${CONFIGMAPS}?limit=1&continue=${page.metadata.continue}`), 410, "Expired", /too old to display a consistent list/);
  });

  it("keeps serving and keeps the stored object intact after all of it", async () => {
    const reply = await call("GET", `${CONFIGMAPS}/keep`);
    assert.equal(reply.status, 200);
    assert.deepEqual((reply.json() as { data: unknown }).data, { a: "1" });
  });
});
