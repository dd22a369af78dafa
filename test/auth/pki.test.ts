// The cluster PKI: created once and reused, re-issued when it must be, and accepted by a real TLS
// handshake with client-certificate verification (as the API server will run it).
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createServer, type PeerCertificate, type TLSSocket } from "node:tls";
import type { AddressInfo } from "node:net";
import { parse } from "yaml";
import { loadOrCreatePKI, type CertKeyPair, type PKI } from "../../src/auth/pki.js";
import { writeKubeconfig } from "../../src/auth/kubeconfig.js";

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kubelite-pki-"));
  dirs.push(dir);
  return dir;
}

describe("loadOrCreatePKI", () => {
  it("creates the CA, serving and admin certificates on first start and reuses them on restart", async () => {
    const dataDir = await tempDir();
    const first = await loadOrCreatePKI({ dataDir });
    const second = await loadOrCreatePKI({ dataDir });
    assert.deepEqual(first.issued, ["ca", "server", "admin", "kubelet-client"]);
    assert.deepEqual(second.issued, []);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.deepEqual(second.server, first.server);
    assert.deepEqual(second.admin, first.admin);
  });

  it("writes private keys with mode 0600 in a 0700 directory", async () => {
    const dataDir = await tempDir();
    const pki = await loadOrCreatePKI({ dataDir });
    assert.equal((await stat(pki.dir)).mode & 0o777, 0o700);
    for (const name of ["ca.key", "server.key", "admin.key"]) {
      assert.equal((await stat(join(pki.dir, name))).mode & 0o777, 0o600, name);
    }
  });

  it("gives the serving certificate localhost, loopback IPs and the host name", async () => {
    const pki = await loadOrCreatePKI({ dataDir: await tempDir(), hostName: "Box-1" });
    const cert = new X509Certificate(pki.server.certPem);
    for (const name of ["localhost", "box-1"]) assert.equal(cert.checkHost(name, { subject: "never" }), name);
    for (const ip of ["127.0.0.1", "::1"]) assert.ok(cert.checkIP(ip), ip);
    assert.ok(cert.checkIssued(new X509Certificate(pki.caCertPem)));
  });

  it("re-issues only the serving certificate when a new SAN is requested", async () => {
    const dataDir = await tempDir();
    const first = await loadOrCreatePKI({ dataDir });
    const second = await loadOrCreatePKI({ dataDir, hostnames: ["api.example.test", "10.1.2.3"], ips: ["fd00::5"] });
    assert.deepEqual(second.issued, ["server"]);
    assert.equal(second.caCertPem, first.caCertPem);
    assert.deepEqual(second.admin, first.admin);
    const cert = new X509Certificate(second.server.certPem);
    assert.ok(cert.checkHost("api.example.test", { subject: "never" }));
    assert.ok(cert.checkIP("10.1.2.3"));
    assert.ok(cert.checkIP("fd00::5"));
    assert.ok(cert.checkHost("localhost", { subject: "never" }));
    const third = await loadOrCreatePKI({ dataDir, hostnames: ["API.example.test"], ips: ["10.1.2.3"] });
    assert.deepEqual(third.issued, [], "a subset of the existing SANs needs no new certificate");
  });

  it("re-issues leaf certificates that expire within 90 days and keeps the CA", async () => {
    const dataDir = await tempDir();
    const first = await loadOrCreatePKI({ dataDir });
    const later = new Date(Date.now() + 300 * 24 * 3600 * 1000);
    const renewed = await loadOrCreatePKI({ dataDir, now: () => later });
    assert.deepEqual(renewed.issued, ["server", "admin", "kubelet-client"]);
    assert.equal(renewed.caCertPem, first.caCertPem);
  });

  it("re-issues a leaf certificate whose key is missing", async () => {
    const dataDir = await tempDir();
    const first = await loadOrCreatePKI({ dataDir });
    await unlink(join(first.dir, "admin.key"));
    const second = await loadOrCreatePKI({ dataDir });
    assert.deepEqual(second.issued, ["admin"]);
  });

  it("refuses to replace a CA certificate whose key is missing", async () => {
    const dataDir = await tempDir();
    const pki = await loadOrCreatePKI({ dataDir });
    await unlink(join(pki.dir, "ca.key"));
    await assert.rejects(loadOrCreatePKI({ dataDir }), /ca\.key is missing/);
  });

  it("issues client certificates for any user and groups, with one O per group", async () => {
    const pki = await loadOrCreatePKI({ dataDir: await tempDir() });
    const pair = await pki.issueClientCertificate({ user: "system:node:n1", groups: ["system:nodes", "team-a"] });
    const cert = new X509Certificate(pair.certPem);
    assert.equal(cert.subject, "CN=system:node:n1\nO=system:nodes\nO=team-a");
    assert.ok(cert.verify(new X509Certificate(pki.caCertPem).publicKey));
    assert.match(pair.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });
});

describe("certificates in a TLS handshake", () => {
  it("authorizes the admin client certificate and reads CN and O back", async () => {
    const pki = await loadOrCreatePKI({ dataDir: await tempDir() });
    const seen = await handshake(pki, pki.admin);
    assert.equal(seen.clientAuthorized, true, seen.serverError);
    assert.equal(seen.authorized, true, seen.error);
    assert.equal(seen.subject?.CN, "kubelite-admin");
    assert.equal(seen.subject?.O, "system:masters");
  });

  it("reads several O values of a client certificate as an array", async () => {
    const pki = await loadOrCreatePKI({ dataDir: await tempDir() });
    const seen = await handshake(pki, await pki.issueClientCertificate({ user: "jane", groups: ["dev", "ops"] }));
    assert.equal(seen.authorized, true, seen.error);
    assert.deepEqual(seen.subject?.O, ["dev", "ops"]);
  });

  it("does not authorize a client certificate from another CA", async () => {
    const pki = await loadOrCreatePKI({ dataDir: await tempDir() });
    const other = await loadOrCreatePKI({ dataDir: await tempDir() });
    const seen = await handshake(pki, other.admin);
    assert.equal(seen.clientAuthorized, true, "the client still trusts the server");
    assert.equal(seen.authorized, false);
    assert.ok(seen.error);
  });

  it("does not accept the serving certificate as a client certificate", async () => {
    const pki = await loadOrCreatePKI({ dataDir: await tempDir() });
    const seen = await handshake(pki, pki.server);
    assert.equal(seen.authorized, false);
  });
});

describe("writeKubeconfig", () => {
  it("writes the server, CA and client credentials as base64 data, mode 0600", async () => {
    const dataDir = await tempDir();
    const pki = await loadOrCreatePKI({ dataDir });
    const path = join(dataDir, "nested", "kubeconfig.yaml");
    await writeKubeconfig(path, { server: "https://127.0.0.1:6443", caPem: pki.caCertPem, ...pki.admin });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const config = parse(await readFile(path, "utf8")) as KubeconfigShape;
    assert.equal(config["current-context"], "kubelite");
    assert.deepEqual(config.contexts, [{ name: "kubelite", context: { cluster: "kubelite", user: "kubelite-admin" } }]);
    const cluster = config.clusters[0]?.cluster;
    assert.equal(cluster?.server, "https://127.0.0.1:6443");
    assert.equal(fromBase64(cluster?.["certificate-authority-data"]), pki.caCertPem);
    const user = config.users[0];
    assert.equal(user?.name, "kubelite-admin");
    assert.equal(fromBase64(user?.user["client-certificate-data"]), pki.admin.certPem);
    assert.equal(fromBase64(user?.user["client-key-data"]), pki.admin.keyPem);
  });
});

interface KubeconfigShape {
  "current-context": string;
  clusters: { name: string; cluster: { server: string; "certificate-authority-data": string } }[];
  users: { name: string; user: { "client-certificate-data": string; "client-key-data": string } }[];
  contexts: unknown[];
}

function fromBase64(value: string | undefined): string {
  return Buffer.from(value ?? "", "base64").toString("utf8");
}

interface HandshakeResult {
  /** Server side: whether the client certificate verified against the cluster CA. */
  authorized: boolean;
  error?: string;
  subject?: PeerCertificate["subject"];
  /** Client side: whether the serving certificate verified for "localhost". */
  clientAuthorized: boolean;
  serverError?: string;
}

/** One TLS connection to a server set up as the API server will be: requestCert, no rejection. */
async function handshake(pki: PKI, client: CertKeyPair): Promise<HandshakeResult> {
  const server = createServer({ key: pki.server.keyPem, cert: pki.server.certPem, ca: [pki.caCertPem], requestCert: true, rejectUnauthorized: false });
  const serverSide = new Promise<Omit<HandshakeResult, "clientAuthorized">>((resolve) => {
    server.once("secureConnection", (socket: TLSSocket) => {
      const peer = socket.getPeerCertificate();
      resolve({ authorized: socket.authorized, error: reasonOf(socket.authorizationError), subject: peer.subject });
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const clientSide = await connectClient(port, pki.caCertPem, client);
    return { ...(await serverSide), ...clientSide };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function connectClient(port: number, caPem: string, pair: CertKeyPair): Promise<Pick<HandshakeResult, "clientAuthorized" | "serverError">> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", servername: "localhost", ca: [caPem], cert: pair.certPem, key: pair.keyPem, rejectUnauthorized: false });
    socket.once("secureConnect", () => {
      resolve({ clientAuthorized: socket.authorized, serverError: reasonOf(socket.authorizationError) });
      socket.once("end", () => socket.destroy());
      socket.resume();
    });
    socket.once("error", reject);
  });
}

/** Node types authorizationError as an Error but sets a string code such as UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
function reasonOf(reason: Error | string | null | undefined): string | undefined {
  if (reason === null || reason === undefined) return undefined;
  return typeof reason === "string" ? reason : reason.message;
}
