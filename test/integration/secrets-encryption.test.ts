// Secrets at rest, through the real server and kubectl: the SQLite file (and its WAL) never holds a
// Secret's value in plaintext or base64, kubectl reads it back, `kubelite secrets rotate-key`
// re-encrypts every Secret with a new key while the server keeps serving, and a restarted server
// still reads them. Only administrators may rotate.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.js";

const KUBELITE = resolve("bin/kubelite.js");
const SECRET_VALUE = "correct-horse-battery-staple-42";

function kubelite(args: string[], kubeconfig: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(process.execPath, [KUBELITE, ...args, "--kubeconfig", kubeconfig], { timeout: 30_000 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

/** Every byte of the database directory: the main file, the WAL and anything else sqlite keeps. */
async function databaseBytes(dataDir: string): Promise<Buffer> {
  const dir = join(dataDir, "db");
  const files = await readdir(dir);
  return Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
}

describe("Secrets encrypted at rest", () => {
  let dataDir: string;
  let server: TestServer;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "kubelite-secrets-"));
    server = await startTestServer({ dataDir });
  });
  after(async () => {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps Secret values out of the database file while kubectl reads them", async () => {
    const created = await server.kubectl(["create", "secret", "generic", "db", `--from-literal=password=${SECRET_VALUE}`]);
    assert.equal(created.code, 0, created.stderr);
    const read = await server.kubectl(["get", "secret", "db", "-o", "jsonpath={.data.password}"]);
    assert.equal(Buffer.from(read.stdout, "base64").toString(), SECRET_VALUE);
    const bytes = await databaseBytes(dataDir);
    assert.equal(bytes.includes(SECRET_VALUE), false, "plaintext in the database");
    assert.equal(bytes.includes(Buffer.from(SECRET_VALUE).toString("base64")), false, "base64 value in the database");
    assert.equal(bytes.includes("k8s:enc:aesgcm:v1:"), true);
  });

  it("rotates the key with `kubelite secrets rotate-key` and keeps every Secret readable", async () => {
    const before = await kubelite(["secrets", "status"], server.kubeconfigPath);
    assert.equal(before.code, 0, before.stderr);
    const oldKey = /primary key: (\S+)/.exec(before.stdout)?.[1];
    assert.ok(oldKey, before.stdout);

    const rotated = await kubelite(["secrets", "rotate-key"], server.kubeconfigPath);
    assert.equal(rotated.code, 0, rotated.stderr);
    const newKey = /primary key: (\S+)/.exec(rotated.stdout)?.[1];
    assert.ok(newKey && newKey !== oldKey, rotated.stdout);
    assert.match(rotated.stdout, new RegExp(`key ${newKey}: [1-9]\\d* Secret`));
    assert.doesNotMatch(rotated.stdout, new RegExp(`key ${oldKey}:`), "the old key is dropped once nothing uses it");

    const read = await server.kubectl(["get", "secret", "db", "-o", "jsonpath={.data.password}"]);
    assert.equal(Buffer.from(read.stdout, "base64").toString(), SECRET_VALUE);
  });

  it("reads the Secrets again after a restart", async () => {
    await server.close();
    server = await startTestServer({ dataDir });
    const read = await server.kubectl(["get", "secret", "db", "-o", "jsonpath={.data.password}"]);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(Buffer.from(read.stdout, "base64").toString(), SECRET_VALUE);
  });

  it("refuses rotation to a user who is not a cluster administrator", async () => {
    const token = (await readFile(join(dataDir, "token"), "utf8")).trim();
    const connection = ["--kubeconfig", "/dev/null", "--server", server.url, "--insecure-skip-tls-verify", "--token", token];
    const result = await server.kubectl([...connection, "create", "--raw", "/kubelite/v1/secrets-encryption/rotate-key", "-f", "-"], { input: "{}" });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Forbidden|forbidden/);
  });
});
