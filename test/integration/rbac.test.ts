// RBAC as users meet it, through the real kubectl and @kubernetes/client-node against a real
// server: a user certificate from the cluster CA with no bindings is refused with upstream's
// words; a RoleBinding to `view` lets it read but not write; `auth can-i` (also `--list` and
// `--as`), `auth whoami`, escalation and impersonation refusals, and ClusterRole aggregation.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { writeKubeconfig } from "../../src/auth/kubeconfig.js";
import { loadOrCreatePKI } from "../../src/auth/pki.js";
import { apiClient } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("RBAC with kubectl and client-node", () => {
  let server: TestServer;
  let aliceConfig: string;
  const asAlice = (args: string[], input?: string) => server.kubectl(args, { env: { KUBECONFIG: aliceConfig }, input });

  before(async () => {
    server = await startTestServer();
    const pki = await loadOrCreatePKI({ dataDir: server.dataDir });
    const alice = await pki.issueClientCertificate({ user: "alice" });
    aliceConfig = join(server.dataDir, "alice.yaml");
    await writeKubeconfig(aliceConfig, { server: server.url, caPem: pki.caCertPem, certPem: alice.certPem, keyPem: alice.keyPem, user: "alice" });
    const made = await server.kubectl(["create", "namespace", "team"]);
    assert.equal(made.code, 0, made.stderr);
  });
  after(() => server.close());

  it("refuses a user without bindings with upstream's message", async () => {
    const listed = await asAlice(["get", "pods", "-n", "team"]);
    assert.equal(listed.code, 1);
    assert.match(listed.stderr, /Error from server \(Forbidden\): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team"/);
    const nodes = await asAlice(["get", "nodes"]);
    assert.match(nodes.stderr, /nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope/);
  });

  it("lets a user bound to view list pods but not create them", async () => {
    const bound = await server.kubectl(["create", "rolebinding", "alice-view", "--clusterrole=view", "--user=alice", "-n", "team"]);
    assert.equal(bound.code, 0, bound.stderr);
    const listed = await asAlice(["get", "pods", "-n", "team"]);
    assert.equal(listed.code, 0, listed.stderr);
    const created = await asAlice(["create", "configmap", "notes", "--from-literal=a=1", "-n", "team"]);
    assert.equal(created.code, 1);
    assert.match(created.stderr, /configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "team"/);
    const secrets = await asAlice(["get", "secret", "anything", "-n", "team"]);
    assert.match(secrets.stderr, /secrets "anything" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "team"/);
  });

  it("answers client-node's typed calls with 200 and 403 as the bindings say", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(aliceConfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: "team" });
    assert.deepEqual(pods.items, []);
    await assert.rejects(core.createNamespacedConfigMap({ namespace: "team", body: { metadata: { name: "typed" } } }), (err: { code?: number; body?: string }) => {
      assert.equal(err.code, 403);
      const status = JSON.parse(err.body ?? "{}") as { reason?: string; details?: { kind?: string } };
      assert.equal(status.reason, "Forbidden");
      assert.equal(status.details?.kind, "configmaps");
      return true;
    });
  });

  it("answers auth can-i for other users with --as, and lists rules with --list", async () => {
    const no = await server.kubectl(["auth", "can-i", "create", "deployments", "--as", "alice", "-n", "team"]);
    assert.equal(no.stdout.trim(), "no");
    assert.equal(no.code, 1);
    const yes = await server.kubectl(["auth", "can-i", "list", "deployments", "--as", "alice", "-n", "team"]);
    assert.equal(yes.stdout.trim(), "yes", yes.stderr);
    const edit = await server.kubectl(["create", "rolebinding", "alice-edit", "--clusterrole=edit", "--user=alice", "-n", "team"]);
    assert.equal(edit.code, 0, edit.stderr);
    const nowYes = await asAlice(["auth", "can-i", "create", "deployments", "-n", "team"]);
    assert.equal(nowYes.stdout.trim(), "yes", nowYes.stderr);
    const list = await server.kubectl(["auth", "can-i", "--list", "--as", "alice", "-n", "team"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^pods\s+\[\]\s+\[\]\s+\[get list watch create update patch delete deletecollection\]$/m);
    assert.match(list.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    const admin = await server.kubectl(["auth", "can-i", "--list"]);
    assert.match(admin.stdout, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  });

  it("tells a user who it is with auth whoami", async () => {
    const whoami = await asAlice(["auth", "whoami"]);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /Username\s+alice/);
    assert.match(whoami.stdout, /Groups\s+\[system:authenticated\]/);
    const admin = await server.kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}"]);
    assert.match(admin.stdout, /system:masters/);
  });

  it("refuses to grant permissions the granter does not hold", async () => {
    await server.kubectl(["create", "namespace", "esc"]);
    const bound = await server.kubectl(["create", "rolebinding", "alice-admin", "--clusterrole=admin", "--user=alice", "-n", "esc"]);
    assert.equal(bound.code, 0, bound.stderr);
    const allowed = await asAlice(["create", "role", "pod-reader", "--verb=get", "--resource=pods", "-n", "esc"]);
    assert.equal(allowed.code, 0, allowed.stderr);
    const role = await asAlice(["create", "role", "node-reader", "--verb=get", "--resource=nodes", "-n", "esc"]);
    assert.equal(role.code, 1);
    assert.match(role.stderr, /roles\.rbac\.authorization\.k8s\.io "node-reader" is forbidden: user "alice" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get"\]\}/);
    const binding = await asAlice(["create", "rolebinding", "alice-root", "--clusterrole=cluster-admin", "--user=alice", "-n", "esc"]);
    assert.equal(binding.code, 1);
    assert.match(binding.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "alice-root" is forbidden: user "alice" .* is attempting to grant RBAC permissions not currently held/);
  });

  it("refuses impersonation without the impersonate verb", async () => {
    const result = await asAlice(["get", "pods", "-n", "team", "--as", "bob"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope/);
    // edit grants impersonating the namespace's service accounts, which then act with their own (no) rights.
    const account = await asAlice(["get", "pods", "-n", "team", "--as", "system:serviceaccount:team:default"]);
    assert.match(account.stderr, /pods is forbidden: User "system:serviceaccount:team:default" cannot list resource "pods" in API group "" in the namespace "team"/);
    const group = await asAlice(["get", "pods", "-n", "team", "--as", "system:serviceaccount:team:default", "--as-group", "system:masters"]);
    assert.match(group.stderr, /groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope/);
  });

  it("aggregates a ClusterRole labelled aggregate-to-view into view", async () => {
    const role = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "widgets-view", labels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } },
      rules: [{ apiGroups: ["example.com"], resources: ["widgets"], verbs: ["get", "list"] }],
    };
    const applied = await server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(role) });
    assert.equal(applied.code, 0, applied.stderr);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const view = await server.kubectl(["get", "clusterrole", "view", "-o", "json"]);
      const rules = (JSON.parse(view.stdout) as { rules?: { resources?: string[] }[] }).rules ?? [];
      if (rules.some((r) => r.resources?.includes("widgets"))) break;
      assert.ok(Date.now() < deadline, "view never got the widgets rule");
      await new Promise((r) => setTimeout(r, 100));
    }
    // edit and admin aggregate view, so they get it too.
    const review = { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: { namespace: "team", verb: "list", group: "example.com", resource: "widgets" } } };
    const canI = await asAlice(["create", "--validate=false", "-f", "-", "-o", "jsonpath={.status.allowed}"], JSON.stringify(review));
    assert.equal(canI.stdout, "true", canI.stderr);
  });

  it("answers SubjectAccessReview and LocalSubjectAccessReview about any user, and refuses bad reviews with 422", async () => {
    const call = await apiClient(server.kubeconfigPath);
    const review = (kind: string, spec: Record<string, unknown>) => JSON.stringify({ apiVersion: "authorization.k8s.io/v1", kind, spec });
    const sar = await call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", { body: review("SubjectAccessReview", { user: "alice", groups: ["system:authenticated"], resourceAttributes: { namespace: "team", verb: "list", resource: "pods" } }) });
    assert.equal(sar.status, 201, sar.text);
    assert.equal((sar.json().status as { allowed: boolean }).allowed, true);
    const local = await call("POST", "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews", { body: review("LocalSubjectAccessReview", { user: "alice", resourceAttributes: { verb: "list", resource: "pods" } }) });
    assert.equal(local.status, 201, local.text);
    assert.deepEqual(local.json().status, { allowed: false });
    const path = await call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", { body: review("SubjectAccessReview", { user: "alice", groups: ["system:authenticated"], nonResourceAttributes: { verb: "get", path: "/apis/apps" } }) });
    assert.equal((path.json().status as { allowed: boolean }).allowed, true);
    const bad = await call("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", { body: review("SubjectAccessReview", { resourceAttributes: { verb: "get", resource: "pods" } }) });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /at least one of user or group must be specified/);
    const mismatch = await call("POST", "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews", { body: review("LocalSubjectAccessReview", { user: "alice", resourceAttributes: { namespace: "team", verb: "list", resource: "pods" } }) });
    assert.equal(mismatch.status, 422);
    assert.match(mismatch.text, /must match metadata.namespace/);
    const read = await call("GET", "/apis/authorization.k8s.io/v1/subjectaccessreviews");
    assert.equal(read.status, 405);
    // alice may not ask about others.
    const asAliceReview = await asAlice(["create", "--validate=false", "-f", "-"], review("SubjectAccessReview", { user: "bob", resourceAttributes: { verb: "get", resource: "pods" } }));
    assert.match(asAliceReview.stderr, /subjectaccessreviews\.authorization\.k8s\.io is forbidden: User "alice" cannot create resource "subjectaccessreviews" in API group "authorization\.k8s\.io" at the cluster scope/);
  });

  it("answers anonymous requests with 401 except health and version", async () => {
    const call = await apiClient(server.kubeconfigPath);
    const pods = await call("GET", "/api/v1/pods", { anonymous: true });
    assert.equal(pods.status, 401);
    for (const path of ["/healthz", "/livez", "/readyz", "/version"]) assert.equal((await call("GET", path, { anonymous: true })).status, 200, path);
    const unknown = await asAlice(["get", "--raw", "/foo"]);
    assert.match(unknown.stderr, /forbidden: User "alice" cannot get path "\/foo"/);
  });

  it("runs the README's example of giving a person access", async () => {
    const readme = await readFile(new URL("../../../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("Giving a person access"));
    const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(script, "the README has no example");
    const dir = await mkdtemp(join(tmpdir(), "kubelite-readme-rbac-"));
    try {
      const kubeconfig = join(dir, "config");
      await copyFile(server.kubeconfigPath, kubeconfig);
      // The example's user is called alice; this server already has one, so it is renamed.
      const renamed = script.replaceAll("alice", "dana");
      const output = await new Promise<string>((done) => {
        execFile("bash", ["-c", renamed], { cwd: dir, env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, "cache") }, timeout: 60_000 }, (_err, stdout, stderr) => done(stdout + stderr));
      });
      assert.match(output, /pods is forbidden: User "dana" cannot list resource "pods" in API group "" in the namespace "default"/, output.slice(-1500));
      assert.match(output, /rolebinding\.rbac\.authorization\.k8s\.io\/dana-view created/);
      assert.match(output, /^no$/m);
      assert.match(output, /Username\s+dana/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
