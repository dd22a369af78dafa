// `kubelite kubeconfig` and `kubelite certs rotate` as users run them (the real CLI in a child
// process) against a real server and the stock kubectl: a kubeconfig for alice in group dev
// authenticates as her; a rotation gives new serials, the running server serves its new
// certificate at once, and after a restart kubectl still works with the rewritten admin kubeconfig.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

function kubelite(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(ROOT, "bin", "kubelite.js"), ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false, servername: "localhost" }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.on("error", reject);
  });
}

const serialOf = async (path: string) => new X509Certificate(await readFile(path, "utf8")).serialNumber;

describe("kubelite kubeconfig and kubelite certs rotate", () => {
  let dataDir: string;
  let server: TestServer;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "kubelite-certs-"));
    server = await startTestServer({ datastore: "sqlite", dataDir });
  });
  after(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("writes a kubeconfig for alice in group dev that kubectl uses", async () => {
    const out = join(dataDir, "alice.yaml");
    const written = await kubelite(["kubeconfig", "--user", "alice", "--group", "dev", "--group", "qa", "--data-dir", dataDir, "--out", out, "--duration", "720h"]);
    assert.equal(written.code, 0, written.stderr);
    assert.equal((await stat(out)).mode & 0o777, 0o600);
    const config = parseYaml(await readFile(out, "utf8")) as { clusters: { cluster: { server: string } }[]; users: { name: string; user: Record<string, string> }[] };
    assert.equal(config.clusters[0]!.cluster.server, server.url);
    assert.equal(config.users[0]!.name, "alice");
    const cert = new X509Certificate(Buffer.from(config.users[0]!.user["client-certificate-data"]!, "base64"));
    assert.equal(cert.subject, "CN=alice\nO=dev\nO=qa");
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30.1, `valid for ${days} days`);
    const version = await server.kubectl(["--kubeconfig", out, "get", "--raw", "/version"]);
    assert.equal(version.code, 0, version.stderr);
    const api = await server.kubectl(["--kubeconfig", out, "get", "--raw", "/api"]);
    assert.ok(api.code === 0 || /Forbidden/.test(api.stderr), api.stderr);
  });

  it("refuses to sign without a cluster CA, and on bad flags prints the usage", async () => {
    const empty = await mkdtemp(join(tmpdir(), "kubelite-no-ca-"));
    try {
      const result = await kubelite(["kubeconfig", "--user", "bob", "--data-dir", empty]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /there is no cluster CA in .*tls: start `kubelite server` with this data dir first/);
      const bad = await kubelite(["kubeconfig", "--user", "bob", "--duration", "soon"]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /soon is not a duration like 720h, 30d or 90m/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("rotates the leaf certificates: new serials, served at once, and kubectl works after a restart", async () => {
    const tls = join(dataDir, "tls");
    const before = { server: await serialOf(join(tls, "server.crt")), admin: await serialOf(join(tls, "admin.crt")), ca: await serialOf(join(tls, "ca.crt")) };
    assert.equal(await servedSerial(server.port), before.server);
    const rotated = await kubelite(["certs", "rotate", "--data-dir", dataDir]);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /re-issued server, admin, kubelet-client/);
    const after = { server: await serialOf(join(tls, "server.crt")), admin: await serialOf(join(tls, "admin.crt")), ca: await serialOf(join(tls, "ca.crt")) };
    assert.notEqual(after.server, before.server);
    assert.notEqual(after.admin, before.admin);
    assert.equal(after.ca, before.ca);
    await waitFor(async () => (await servedSerial(server.port)) === after.server, "the running server serves the new certificate");
    assert.equal((await server.kubectl(["get", "namespaces"])).code, 0);

    await server.close();
    server = await startTestServer({ datastore: "sqlite", dataDir });
    assert.equal(await serialOf(join(tls, "server.crt")), after.server, "a restart keeps the rotated certificate");
    const adminInKubeconfig = (parseYaml(await readFile(join(dataDir, "kubeconfig.yaml"), "utf8")) as { users: { user: Record<string, string> }[] }).users[0]!.user["client-certificate-data"]!;
    assert.equal(new X509Certificate(Buffer.from(adminInKubeconfig, "base64")).serialNumber, after.admin);
    const listed = await server.kubectl(["get", "namespaces"]);
    assert.equal(listed.code, 0, listed.stderr);
    const ready = await server.kubectl(["get", "--raw", "/readyz?verbose"]);
    assert.match(ready.stdout, /\[\+\]certificates ok/);
  });
});
