// The article's security section as a user runs it, on a server with its secure defaults: the RBAC
// commands of ../shared/examples/rbac-commands.sh, a `viewer` service account whose token can read
// pods but neither create Deployments nor read Secrets, `kubectl auth can-i --list` for it, and an
// anonymous request refused.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.js";

const EXAMPLES = resolve("../shared/examples");

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(command, args, { env, timeout: 30_000 }, (err, stdout, stderr) => done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr })),
  );
}

describe("the article's RBAC commands", () => {
  let server: TestServer;
  let viewer: string[];

  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it("runs rbac-commands.sh as written", async () => {
    const script = await readFile(join(EXAMPLES, "rbac-commands.sh"), "utf8");
    const result = await run("sh", ["-e", "-c", script], { ...process.env, KUBECONFIG: server.kubeconfigPath });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /clusterrolebinding.rbac.authorization.k8s.io\/admin-binding created/);
    assert.match(result.stdout, /serviceaccount\/viewer created/);
    assert.match(result.stdout, /clusterrolebinding.rbac.authorization.k8s.io\/viewer-binding created/);
  });

  it("gives the viewer's token read access to pods and nothing more", async () => {
    const token = await server.kubectl(["create", "token", "viewer", "--duration=10m"]);
    assert.equal(token.code, 0, token.stderr);
    viewer = ["--token", token.stdout.trim(), "--kubeconfig", "/dev/null", "--server", server.url, "--certificate-authority", join(server.dataDir, "tls", "ca.crt")];
    const pods = await server.kubectl([...viewer, "get", "pods"]);
    assert.equal(pods.code, 0, pods.stderr);
    const create = await server.kubectl([...viewer, "create", "deployment", "web", "--image=nginx"]);
    assert.notEqual(create.code, 0);
    assert.match(create.stderr, /User "system:serviceaccount:default:viewer" cannot create resource "deployments" in API group "apps" in the namespace "default"/);
    const secrets = await server.kubectl([...viewer, "get", "secrets"]);
    assert.notEqual(secrets.code, 0);
    assert.match(secrets.stderr, /cannot list resource "secrets" in API group "" in the namespace "default"/);
  });

  it("lists what the viewer may do with auth can-i --list", async () => {
    const list = await server.kubectl(["auth", "can-i", "--list", "--as", "system:serviceaccount:default:viewer"]);
    assert.equal(list.code, 0, list.stderr);
    const podsLine = list.stdout.split("\n").find((l) => /^pods\s/.test(l));
    assert.ok(podsLine && /get/.test(podsLine) && /list/.test(podsLine) && /watch/.test(podsLine), list.stdout);
    assert.equal(list.stdout.split("\n").some((l) => /^secrets\s/.test(l)), false, list.stdout);
    assert.equal((await server.kubectl(["auth", "can-i", "create", "deployments", "--as", "system:serviceaccount:default:viewer"])).stdout.trim(), "no");
  });

  it("refuses anonymous requests with 401 but answers health checks", async () => {
    const ca = join(server.dataDir, "tls", "ca.crt");
    const pods = await run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca, `${server.url}/api/v1/pods`], process.env);
    assert.equal(pods.stdout, "401");
    const health = await run("curl", ["-s", "--cacert", ca, `${server.url}/healthz`], process.env);
    assert.equal(health.stdout, "ok");
  });
});
