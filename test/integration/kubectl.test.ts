// What a user does with stock kubectl against a real kubelite server: the article's Deployment,
// apply (client- and server-side), get in every output form, watch, describe, the create
// generators (protobuf bodies), label/annotate/patch/scale/edit/diff/delete, and the discovery,
// explain, version and cluster-info commands.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "../support/test-server.js";

const EXAMPLES = fileURLToPath(new URL("../../../../shared/examples/", import.meta.url));
const DEPLOYMENT = join(EXAMPLES, "deployment.yaml");

describe("stock kubectl against kubelite", () => {
  let server: TestServer;
  let scratch: string;

  before(async () => {
    server = await startTestServer();
    scratch = await mkdtemp(join(tmpdir(), "kubelite-kubectl-"));
  });
  after(async () => {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  });

  async function ok(args: string[], input?: string): Promise<string> {
    const result = await server.kubectl(args, { input });
    assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  }

  it("reports the server version as v1.32", async () => {
    const out = JSON.parse(await ok(["version", "-o", "json"])) as { serverVersion: { major: string; minor: string } };
    assert.equal(out.serverVersion.major, "1");
    assert.equal(out.serverVersion.minor, "32");
  });

  it("applies the article's deployment, then reports unchanged and configured", async () => {
    assert.match(await ok(["apply", "-f", DEPLOYMENT]), /deployment.apps\/api-server created/);
    assert.match(await ok(["apply", "-f", DEPLOYMENT]), /deployment.apps\/api-server unchanged/);
    const edited = (await readFile(DEPLOYMENT, "utf8")).replace("replicas: 3", "replicas: 4");
    const path = join(scratch, "deployment.yaml");
    await writeFile(path, edited);
    assert.match(await ok(["apply", "-f", path]), /deployment.apps\/api-server configured/);
    assert.equal(await ok(["get", "deployment", "api-server", "-o", "jsonpath={.spec.replicas}"]), "4");
  });

  it("applies server-side with a field manager", async () => {
    const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-demo\ndata:\n  a: \"1\"\n";
    assert.match(await ok(["apply", "--server-side", "-f", "-"], manifest), /configmap\/ssa-demo serverside-applied/);
    const out = JSON.parse(await ok(["get", "configmap", "ssa-demo", "-o", "json", "--show-managed-fields"])) as { metadata: { managedFields: { manager: string; operation: string }[] } };
    assert.ok(out.metadata.managedFields.some((m) => m.manager === "kubectl" && m.operation === "Apply"));
  });

  it("prints deployments, replicasets and pods with upstream's columns", async () => {
    const out = await ok(["get", "deploy,rs,pods", "-o", "wide"]);
    assert.match(out, /NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(out, /deployment.apps\/api-server\s+\d\/4\s+\d\s+\d\s+\S+\s+api-server\s+myregistry\/api-server:v1.2.3\s+app=api-server/);
    assert.match(out, /NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(out, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
  });

  it("gets objects as yaml, json and jsonpath", async () => {
    assert.match(await ok(["get", "deploy", "api-server", "-o", "yaml"]), /kind: Deployment[\s\S]*image: myregistry\/api-server:v1.2.3/);
    const json = JSON.parse(await ok(["get", "deploy", "api-server", "-o", "json"])) as { spec: { strategy: { type: string } }; metadata: { uid: string; generation: number } };
    assert.equal(json.spec.strategy.type, "RollingUpdate");
    assert.match(json.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.equal(json.metadata.generation, 2);
    assert.equal(await ok(["get", "deploy", "api-server", "-o", "jsonpath={.spec.template.spec.containers[0].resources.limits.memory}"]), "1Gi");
  });

  it("creates objects with kubectl's generators", async () => {
    assert.match(await ok(["create", "namespace", "team-a"]), /namespace\/team-a created/);
    assert.match(await ok(["create", "configmap", "settings", "-n", "team-a", "--from-literal=mode=fast"]), /configmap\/settings created/);
    assert.match(await ok(["create", "secret", "generic", "creds", "-n", "team-a", "--from-literal=password=s3cr3t"]), /secret\/creds created/);
    assert.match(await ok(["create", "serviceaccount", "robot", "-n", "team-a"]), /serviceaccount\/robot created/);
    assert.match(await ok(["create", "deployment", "web", "-n", "team-a", "--image=nginx:1.27", "--replicas=2"]), /deployment.apps\/web created/);
    const secret = JSON.parse(await ok(["get", "secret", "creds", "-n", "team-a", "-o", "json"])) as { data: { password: string }; type: string };
    assert.equal(Buffer.from(secret.data.password, "base64").toString(), "s3cr3t");
    assert.equal(secret.type, "Opaque");
    assert.equal(await ok(["get", "configmap", "settings", "-n", "team-a", "-o", "jsonpath={.data.mode}"]), "fast");
    assert.equal(await ok(["get", "deploy", "web", "-n", "team-a", "-o", "jsonpath={.spec.replicas}"]), "2");
  });

  it("labels, annotates and patches with all three patch types", async () => {
    await ok(["label", "deployment", "api-server", "tier=backend"]);
    await ok(["annotate", "deployment", "api-server", "owner=platform"]);
    await ok(["patch", "deployment", "api-server", "--type=merge", "-p", '{"spec":{"minReadySeconds":5}}']);
    await ok(["patch", "deployment", "api-server", "--type=json", "-p", '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":3}]']);
    await ok(["patch", "deployment", "api-server", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"api-server","image":"myregistry/api-server:v1.2.4"}]}}}}']);
    const d = JSON.parse(await ok(["get", "deploy", "api-server", "-o", "json"])) as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: { minReadySeconds: number; revisionHistoryLimit: number; template: { spec: { containers: { image: string; ports: unknown[] }[] } } };
    };
    assert.equal(d.metadata.labels.tier, "backend");
    assert.equal(d.metadata.annotations.owner, "platform");
    assert.equal(d.spec.minReadySeconds, 5);
    assert.equal(d.spec.revisionHistoryLimit, 3);
    assert.equal(d.spec.template.spec.containers[0]!.image, "myregistry/api-server:v1.2.4");
    assert.equal(d.spec.template.spec.containers[0]!.ports.length, 1, "the strategic merge kept the container's other fields");
  });

  it("scales through the scale subresource", async () => {
    assert.match(await ok(["scale", "deployment", "api-server", "--replicas=10"]), /deployment.apps\/api-server scaled/);
    assert.equal(await ok(["get", "deploy", "api-server", "-o", "jsonpath={.spec.replicas}"]), "10");
  });

  it("edits an object with $EDITOR", async () => {
    const editor = join(scratch, "editor.sh");
    await writeFile(editor, "#!/bin/sh\nsed -i 's/owner: platform/owner: edited/' \"$1\"\n");
    await chmod(editor, 0o755);
    const result = await server.kubectl(["edit", "deployment", "api-server"], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /deployment.apps\/api-server edited/);
    assert.equal(await ok(["get", "deploy", "api-server", "-o", "jsonpath={.metadata.annotations.owner}"]), "edited");
  });

  it("diffs a changed manifest against the live object", async () => {
    const path = join(scratch, "diff.yaml");
    await writeFile(path, (await readFile(DEPLOYMENT, "utf8")).replace("v1.2.3", "v9.9.9"));
    const result = await server.kubectl(["diff", "-f", path]);
    assert.equal(result.code, 1, `kubectl diff exits 1 when there are differences: ${result.stderr}`);
    assert.match(result.stdout, /\+\s+- image: myregistry\/api-server:v9.9.9|\+\s+image: myregistry\/api-server:v9.9.9/);
  });

  it("describes a deployment", async () => {
    const out = await ok(["describe", "deployment", "api-server"]);
    assert.match(out, /Name:\s+api-server/);
    assert.match(out, /Replicas:\s+10 desired/);
    assert.match(out, /StrategyType:\s+RollingUpdate/);
  });

  it("streams changes with get -w", async () => {
    const child = spawn("kubectl", ["get", "configmaps", "-w", "--request-timeout=20s"], { env: { ...process.env, KUBECONFIG: server.kubeconfigPath } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes("ssa-demo"), "the initial list");
    await ok(["create", "configmap", "watched", "--from-literal=x=y"]);
    await waitFor(() => output.includes("watched"), "the new configmap in the watch stream");
    child.kill();
  });

  it("lists api resources and versions with short names", async () => {
    const resources = await ok(["api-resources"]);
    assert.match(resources, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    assert.match(resources, /pods\s+po\s+v1\s+true\s+Pod/);
    assert.match(resources, /horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler/);
    const versions = await ok(["api-versions"]);
    for (const gv of ["apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "v1"]) {
      assert.match(versions, new RegExp(`^${gv.replace(/[./]/g, "\\$&")}$`, "m"));
    }
  });

  it("explains fields from the upstream schemas", async () => {
    const out = await ok(["explain", "deployment.spec"]);
    assert.match(out, /KIND:\s+Deployment/);
    assert.match(out, /replicas\s+<integer>/);
  });

  it("prints cluster-info", async () => {
    assert.match(await ok(["cluster-info"]), /Kubernetes control plane is running at https:\/\/127\.0\.0\.1:\d+/);
  });

  it("deletes and waits until the object is gone", async () => {
    assert.match(await ok(["delete", "deployment", "web", "-n", "team-a"]), /deployment.apps "web" deleted/);
    const result = await server.kubectl(["get", "deployment", "web", "-n", "team-a"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Error from server \(NotFound\): deployments.apps "web" not found/);
  });

  it("refuses an invalid deployment with upstream's message", async () => {
    const bad = (await readFile(DEPLOYMENT, "utf8")).replace("name: api-server\nspec", "name: broken\nspec").replace(/app: api-server\n    spec:/, "app: other\n    spec:");
    const result = await server.kubectl(["apply", "-f", "-"], { input: bad });
    assert.notEqual(result.code, 0);
    // kubectl words a 422 as `The <Kind> "<name>" is invalid: <causes>`.
    assert.match(result.stderr, /The Deployment "broken" is invalid: spec.template.metadata.labels: Invalid value: map\[string\]string\{"app":"other"\}: `selector` does not match template `labels`/);
  });
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
