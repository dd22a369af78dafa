// Authentication through a real HTTPS server configured as the API server will be: client
// certificates (read once per connection), bearer tokens (the join token), and anonymous requests;
// plus the join token file.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { Agent, request as httpsRequest, createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RequestAuthenticator, allowsAnonymous, type UserInfo } from "../../src/auth/authenticate.js";
import { loadOrCreatePKI, type CertKeyPair, type PKI } from "../../src/auth/pki.js";
import {
  StaticTokenAuthenticator,
  caCertHash,
  joinTokenAuthenticator,
  loadOrCreateJoinToken,
  parseJoinToken,
} from "../../src/auth/tokens.js";

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kubelite-authn-"));
  dirs.push(dir);
  return dir;
}

after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("RequestAuthenticator over HTTPS", () => {
  let pki: PKI;
  let other: PKI;
  let token: string;
  let server: Server;
  let port: number;

  before(async () => {
    const dataDir = await tempDir();
    pki = await loadOrCreatePKI({ dataDir });
    other = await loadOrCreatePKI({ dataDir: await tempDir() });
    token = await loadOrCreateJoinToken({ dataDir, caCertPem: pki.caCertPem });
    const authenticator = new RequestAuthenticator([joinTokenAuthenticator(token)]);
    server = createServer({ key: pki.server.keyPem, cert: pki.server.certPem, ca: [pki.caCertPem], requestCert: true, rejectUnauthorized: false }, (req, res) => {
      void authenticator.authenticate(req).then(
        (user) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ user: user ?? null })),
        (err: unknown) => res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ user: "rejected", error: String(err) })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const whoami = (options: WhoAmIOptions = {}): Promise<UserInfo | null | "rejected"> => whoAmI(port, pki.caCertPem, options);

  it("identifies a client certificate's CN as the user and its O values as groups", async () => {
    assert.deepEqual(await whoami({ client: pki.admin }), { name: "kubelite-admin", groups: ["system:masters", "system:authenticated"] });
    const node = await pki.issueClientCertificate({ user: "system:node:n1", groups: ["system:nodes"] });
    assert.deepEqual(await whoami({ client: node }), { name: "system:node:n1", groups: ["system:nodes", "system:authenticated"] });
  });

  it("keeps a connection's certificate identity for every request on it, and reads tokens per request", async () => {
    const withCert = new Agent({ keepAlive: true, maxSockets: 1, cert: pki.admin.certPem, key: pki.admin.keyPem });
    const without = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await whoami({ agent: withCert }), { name: "kubelite-admin", groups: ["system:masters", "system:authenticated"] });
      }
      assert.equal(await whoami({ agent: without }), null);
      assert.equal(((await whoami({ agent: without, headers: { authorization: `Bearer ${token}` } })) as UserInfo | null)?.name, "kubelite:bootstrap:node");
      assert.equal(await whoami({ agent: without }), null);
    } finally {
      withCert.destroy();
      without.destroy();
    }
  });

  it("identifies the join token, whole or only its secret, as the bootstrap node user", async () => {
    const expected = { name: "kubelite:bootstrap:node", groups: ["system:bootstrappers", "system:authenticated"] };
    assert.deepEqual(await whoami({ headers: { authorization: `Bearer ${token}` } }), expected);
    assert.deepEqual(await whoami({ headers: { authorization: `bearer ${parseJoinToken(token)?.secret ?? ""}` } }), expected);
  });

  it("reads a bearer token from the WebSocket subprotocol browsers use", async () => {
    const protocol = `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString("base64url")}`;
    const user = await whoami({ headers: { "sec-websocket-protocol": `v5.channel.k8s.io, ${protocol}` } });
    assert.equal((user as UserInfo | null)?.name, "kubelite:bootstrap:node");
  });

  it("refuses a wrong bearer token (not anonymous, as upstream), and treats other schemes as anonymous", async () => {
    assert.equal(await whoami({ headers: { authorization: `Bearer ${token}x` } }), "rejected");
    assert.equal(await whoami({ headers: { authorization: "Basic YWRtaW46YWRtaW4=" } }), null);
  });

  it("treats a request without credentials as anonymous", async () => {
    assert.equal(await whoami(), null);
  });

  it("ignores a client certificate from another CA but still accepts a bearer token", async () => {
    assert.equal(await whoami({ client: other.admin }), null);
    const user = await whoami({ client: other.admin, headers: { authorization: `Bearer ${token}` } });
    assert.equal((user as UserInfo | null)?.name, "kubelite:bootstrap:node");
  });
});

describe("allowsAnonymous", () => {
  const cases: [string, boolean][] = [
    ["/healthz", true],
    ["/livez", true],
    ["/readyz?verbose", true],
    ["/readyz/ping", true],
    ["/version", true],
    ["/healthzx", false],
    ["/api", false],
    ["/api/v1/namespaces/default/pods", false],
    ["/", false],
  ];
  for (const [path, allowed] of cases) {
    it(`${allowed ? "allows" : "refuses"} anonymous access to ${path}`, () => {
      assert.equal(allowsAnonymous(path), allowed);
    });
  }
});

describe("join token", () => {
  it("is created once in DATA_DIR/token with mode 0600 and pins the CA", async () => {
    const dataDir = await tempDir();
    const pki = await loadOrCreatePKI({ dataDir });
    const token = await loadOrCreateJoinToken({ dataDir, caCertPem: pki.caCertPem });
    assert.match(token, /^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/);
    assert.equal(parseJoinToken(token)?.caHash, caCertHash(pki.caCertPem));
    assert.equal((await stat(join(dataDir, "token"))).mode & 0o777, 0o600);
    assert.equal(await loadOrCreateJoinToken({ dataDir, caCertPem: pki.caCertPem }), token);
    assert.equal(await readFile(join(dataDir, "token"), "utf8"), `${token}\n`);
  });

  it("keeps a secret written by hand and adds the CA hash", async () => {
    const dataDir = await tempDir();
    const pki = await loadOrCreatePKI({ dataDir });
    await writeFile(join(dataDir, "token"), "my-cluster-secret\n");
    const token = await loadOrCreateJoinToken({ dataDir, caCertPem: pki.caCertPem });
    assert.equal(token, `K10${caCertHash(pki.caCertPem)}::server:my-cluster-secret`);
  });

  it("parses full and short tokens and rejects blank ones", () => {
    const hash = "a".repeat(64);
    assert.deepEqual(parseJoinToken(`K10${hash}::server:s3cret:x`), { caHash: hash, secret: "s3cret:x" });
    assert.deepEqual(parseJoinToken("short\n"), { secret: "short" });
    assert.equal(parseJoinToken("  "), undefined);
    assert.equal(parseJoinToken("two words"), undefined);
  });
});

describe("StaticTokenAuthenticator", () => {
  it("maps each token to its user and nothing else", async () => {
    const alice = { name: "alice", groups: ["dev"] };
    const bob = { name: "bob", groups: [] };
    const tokens = new StaticTokenAuthenticator([
      ["token-a", alice],
      ["token-b", bob],
    ]);
    assert.deepEqual(await tokens.authenticateToken("token-a"), alice);
    assert.deepEqual(await tokens.authenticateToken("token-b"), bob);
    assert.equal(await tokens.authenticateToken("token-"), undefined);
    assert.equal(await tokens.authenticateToken(""), undefined);
  });
});

interface WhoAmIOptions {
  client?: CertKeyPair;
  headers?: Record<string, string>;
  /** A keep-alive agent, to send several requests on one connection. */
  agent?: Agent;
}

/** GET / with the given credentials; the test server answers with the authenticated user. */
function whoAmI(port: number, caPem: string, options: WhoAmIOptions): Promise<UserInfo | null | "rejected"> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        path: "/",
        servername: "localhost",
        ca: [caPem],
        agent: options.agent ?? false,
        headers: options.headers ?? {},
        ...(options.client === undefined ? {} : { cert: options.client.certPem, key: options.client.keyPem }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { user: UserInfo | null | "rejected" }).user));
      },
    );
    req.on("error", reject);
    req.end();
  });
}
