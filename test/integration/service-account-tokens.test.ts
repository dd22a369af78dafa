// Service-account tokens with stock kubectl: `kubectl create serviceaccount` + `kubectl create
// token` give a JWT that authenticates; forged, foreign, expired and wrong-audience tokens, and
// tokens of deleted accounts or bound objects, get 401; legacy token Secrets are filled and work
// while they exist; TokenRequest's bad input gets upstream's errors.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { decodeJwt } from "jose";
import { loadOrCreateServiceAccountKey } from "../../src/auth/service-account-key.js";
import { ServiceAccountTokenIssuer, type BoundClaims } from "../../src/auth/service-account-token.js";
import { startTestServer, type KubectlResult, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";

describe("service-account tokens", () => {
  let server: TestServer;
  let emptyKubeconfig: string;

  before(async () => {
    server = await startTestServer({ datastore: "memory" });
    emptyKubeconfig = join(await mkdtemp(join(tmpdir(), "kubelite-token-")), "empty.yaml");
    await writeFile(emptyKubeconfig, "apiVersion: v1\nkind: Config\n");
  });
  after(async () => server.close());

  async function ok(args: string[], input?: string): Promise<string> {
    const result = await server.kubectl(args, { input });
    assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** kubectl with only the token as credentials (no client certificate). */
  function withToken(token: string, args: string[]): Promise<KubectlResult> {
    return server.kubectl([`--kubeconfig=${emptyKubeconfig}`, `--server=${server.url}`, `--certificate-authority=${join(server.dataDir, "tls", "ca.crt")}`, `--token=${token}`, ...args]);
  }

  async function assertAuthenticated(token: string): Promise<void> {
    const result = await withToken(token, ["get", "--raw", "/api"]);
    // Authorization may refuse (403) once RBAC decides; authentication must not (401).
    assert.ok(result.code === 0 || /Forbidden/.test(result.stderr), `expected the token to authenticate: ${result.stderr}`);
  }

  async function assertUnauthorized(token: string): Promise<void> {
    const result = await withToken(token, ["get", "--raw", "/version"]);
    assert.notEqual(result.code, 0, "the token was accepted");
    assert.match(result.stderr, /Unauthorized/);
  }

  it("kubectl create token gives a bound JWT with upstream's claims that authenticates", async () => {
    await ok(["create", "serviceaccount", "viewer"]);
    const token = (await ok(["create", "token", "viewer", "--duration=10m"])).trim();
    const claims = decodeJwt(token) as unknown as BoundClaims;
    const account = JSON.parse(await ok(["get", "serviceaccount", "viewer", "-o", "json"])) as { metadata: { uid: string } };
    assert.equal(claims.iss, "https://kubernetes.default.svc.cluster.local");
    assert.equal(claims.sub, "system:serviceaccount:default:viewer");
    assert.deepEqual(claims.aud, ["https://kubernetes.default.svc.cluster.local", "kubelite"]);
    assert.equal(claims.exp - claims.iat, 600);
    assert.equal(claims.nbf, claims.iat);
    assert.match(claims.jti, /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims["kubernetes.io"], { namespace: "default", serviceaccount: { name: "viewer", uid: account.metadata.uid } });
    await assertAuthenticated(token);
  });

  it("refuses forged, foreign, expired and wrong-audience tokens with 401", async () => {
    const token = (await ok(["create", "token", "viewer"])).trim();
    const [header, payload] = token.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: "system:serviceaccount:kube-system:admin" })).toString("base64url");
    await assertUnauthorized(`${header}.${forgedPayload}.${token.split(".")[2]}`);
    await assertUnauthorized(`${header}.${payload}.${"A".repeat(86)}`);

    const account = JSON.parse(await ok(["get", "serviceaccount", "viewer", "-o", "json"])) as { metadata: { uid: string } };
    const request = { namespace: "default", serviceAccount: { name: "viewer", uid: account.metadata.uid }, audiences: ["https://kubernetes.default.svc.cluster.local"], expirationSeconds: 600 };
    const foreign = new ServiceAccountTokenIssuer(await loadOrCreateServiceAccountKey(await mkdtemp(join(tmpdir(), "kubelite-other-"))));
    await assertUnauthorized((await foreign.issue(request)).token);

    const ours = await loadOrCreateServiceAccountKey(server.dataDir);
    const twoHoursAgo = new ServiceAccountTokenIssuer(ours, () => new Date(Date.now() - 2 * 3600_000));
    await assertUnauthorized((await twoHoursAgo.issue(request)).token);
    await assertAuthenticated((await new ServiceAccountTokenIssuer(ours).issue(request)).token);

    await assertUnauthorized((await ok(["create", "token", "viewer", "--audience=https://vault.example"])).trim());
  });

  it("refuses the token of a deleted service account, even once one of that name exists again", async () => {
    await ok(["create", "serviceaccount", "short-lived"]);
    const token = (await ok(["create", "token", "short-lived"])).trim();
    await assertAuthenticated(token);
    await ok(["delete", "serviceaccount", "short-lived"]);
    await assertUnauthorized(token);
    await ok(["create", "serviceaccount", "short-lived"]);
    await assertUnauthorized(token);
  });

  it("binds a token to a Secret: it authenticates until the Secret is deleted", async () => {
    await ok(["create", "secret", "generic", "binding", "--from-literal=a=b"]);
    const token = (await ok(["create", "token", "viewer", "--bound-object-kind=Secret", "--bound-object-name=binding"])).trim();
    const secret = JSON.parse(await ok(["get", "secret", "binding", "-o", "json"])) as { metadata: { uid: string } };
    assert.deepEqual((decodeJwt(token) as unknown as BoundClaims)["kubernetes.io"].secret, { name: "binding", uid: secret.metadata.uid });
    await assertAuthenticated(token);
    await ok(["delete", "secret", "binding"]);
    await assertUnauthorized(token);
  });

  it("fills a legacy token Secret that authenticates while it exists, and removes it with its account", async () => {
    await ok(["create", "serviceaccount", "legacy"]);
    const secret = { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token", metadata: { name: "legacy-token", annotations: { "kubernetes.io/service-account.name": "legacy" } } };
    await ok(["create", "-f", "-"], JSON.stringify(secret));
    const read = async () => JSON.parse(await ok(["get", "secret", "legacy-token", "-o", "json"])) as { data?: Record<string, string>; metadata: { annotations: Record<string, string> } };
    await waitFor(async () => Boolean((await read()).data?.token), "the token in the Secret");
    const filled = await read();
    const token = Buffer.from(filled.data!.token!, "base64").toString("utf8");
    assert.equal(Buffer.from(filled.data!.namespace!, "base64").toString("utf8"), "default");
    assert.equal(Buffer.from(filled.data!["ca.crt"]!, "base64").toString("utf8"), await readFile(join(server.dataDir, "tls", "ca.crt"), "utf8"));
    const account = JSON.parse(await ok(["get", "serviceaccount", "legacy", "-o", "json"])) as { metadata: { uid: string } };
    assert.equal(filled.metadata.annotations["kubernetes.io/service-account.uid"], account.metadata.uid);
    assert.equal(decodeJwt(token).iss, "kubernetes/serviceaccount");
    await assertAuthenticated(token);
    await ok(["delete", "serviceaccount", "legacy"]);
    await waitFor(async () => (await server.kubectl(["get", "secret", "legacy-token"])).code !== 0, "the Secret deleted with its account");
    await assertUnauthorized(token);
  });

  it("works from @kubernetes/client-node: TokenRequest, then the token as a bearer credential", async () => {
    const admin = new k8s.KubeConfig();
    admin.loadFromFile(server.kubeconfigPath);
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const issued = await core.createNamespacedServiceAccountToken({ namespace: "default", name: "viewer", body: { spec: { audiences: [], expirationSeconds: 1200 } } });
    assert.equal(issued.kind, "TokenRequest");
    assert.ok(issued.status?.token);
    const expiresIn = (issued.status!.expirationTimestamp.getTime() - Date.now()) / 1000;
    assert.ok(expiresIn > 1190 && expiresIn <= 1200, `expires in ${expiresIn} s`);
    const asViewer = new k8s.KubeConfig();
    asViewer.loadFromOptions({
      clusters: [{ name: "kubelite", server: server.url, caFile: join(server.dataDir, "tls", "ca.crt") }],
      users: [{ name: "viewer", token: issued.status!.token }],
      contexts: [{ name: "kubelite", cluster: "kubelite", user: "viewer" }],
      currentContext: "kubelite",
    });
    const code = await asViewer.makeApiClient(k8s.CoreV1Api).listNamespacedServiceAccount({ namespace: "default" }).then(() => 200, (err: { code?: number }) => err.code);
    assert.ok(code === 200 || code === 403, `the token authenticates (got ${code})`);
  });

  it("answers bad TokenRequests as upstream does", async () => {
    const short = await server.kubectl(["create", "token", "viewer", "--duration=1m"]);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /TokenRequest\.authentication\.k8s\.io "viewer" is invalid: spec\.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes/);
    const missing = await server.kubectl(["create", "token", "nobody"]);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
    const stale = await server.kubectl(["create", "token", "viewer", "--bound-object-kind=Secret", "--bound-object-name=nothing"]);
    assert.match(stale.stderr, /secrets "nothing" not found/);
  });
});
