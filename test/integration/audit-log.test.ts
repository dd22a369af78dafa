// The audit log through the real server and kubectl: one audit.k8s.io/v1 Event per request with the
// user, verb, object reference and response code; at the Request level the bodies of writes, but
// never of Secrets; health checks left out; and the file rotated by size with old backups removed.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AuditLogFile } from "../../src/api/audit/audit-log-file.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

interface AuditEvent {
  level: string;
  verb: string;
  user: { username: string; groups: string[] };
  objectRef?: { resource: string; namespace?: string; name?: string; apiGroup: string };
  responseStatus: { code: number };
  requestObject?: Record<string, unknown>;
  requestURI: string;
}

async function auditEvents(path: string, wanted: (e: AuditEvent) => boolean): Promise<AuditEvent[]> {
  for (let i = 0; i < 100; i++) {
    const text = await readFile(path, "utf8").catch(() => "");
    const events = text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
    if (events.some(wanted)) return events;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no matching audit event in ${path}`);
}

describe("audit log", () => {
  let server: TestServer;
  let path: string;

  before(async () => {
    server = await startTestServer({ serverOptions: { auditLevel: "Request" } });
    path = join(server.dataDir, "audit", "audit.log");
  });
  after(() => server?.close());

  it("records who did what to which object, with write bodies at the Request level but never a Secret's", async () => {
    assert.equal((await server.kubectl(["create", "deployment", "web", "--image=nginx"])).code, 0);
    assert.equal((await server.kubectl(["create", "secret", "generic", "s", "--from-literal=token=audit-must-not-see-this"])).code, 0);
    assert.notEqual((await server.kubectl(["get", "configmap", "missing"])).code, 0);
    const events = await auditEvents(path, (e) => e.objectRef?.name === "missing");

    const created = events.find((e) => e.verb === "create" && e.objectRef?.resource === "deployments");
    assert.ok(created, "deployment create audited");
    assert.equal(created.user.username, "kubelite-admin");
    assert.ok(created.user.groups.includes("system:masters"));
    assert.deepEqual({ ...created.objectRef, name: undefined }, { resource: "deployments", namespace: "default", name: undefined, apiGroup: "apps", apiVersion: "v1" });
    assert.equal(created.responseStatus.code, 201);
    assert.equal(created.level, "Request");
    assert.equal((created.requestObject?.metadata as { name?: string })?.name, "web");

    const secret = events.find((e) => e.verb === "create" && e.objectRef?.resource === "secrets");
    assert.ok(secret);
    assert.equal(secret.level, "Metadata");
    assert.equal(secret.requestObject, undefined);
    assert.doesNotMatch(await readFile(path, "utf8"), /audit-must-not-see-this|YXVkaXQtbXVzdC1ub3Qtc2VlLXRoaXM/);

    assert.equal(events.find((e) => e.objectRef?.name === "missing")?.responseStatus.code, 404);
    assert.equal(events.some((e) => e.requestURI.startsWith("/readyz") || e.requestURI.startsWith("/healthz")), false);
  });
});

describe("audit log file", () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), "kubelite-audit-"))));
  after(() => rm(dir, { recursive: true, force: true }));

  it("rotates at the size limit and keeps only the newest backups", async () => {
    let tick = Date.parse("2026-01-01T00:00:00Z");
    const file = await AuditLogFile.open({ path: join(dir, "audit.log"), maxBytes: 200, maxBackups: 2, now: () => new Date((tick += 1000)) });
    for (let i = 0; i < 20; i++) {
      file.append(JSON.stringify({ i, padding: "x".repeat(60) }));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 1));
    }
    await file.close();
    const names = (await readdir(dir)).sort();
    assert.equal(names.filter((n) => n.startsWith("audit-")).length, 2, names.join(" "));
    const current = await readFile(join(dir, "audit.log"), "utf8");
    assert.ok(Buffer.byteLength(current) <= 200);
    assert.match(current, /"i":19/);
  });
});
