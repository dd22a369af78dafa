// Pods and their API credentials with stock kubectl: the ServiceAccount admission plugin (default
// account, missing accounts refused, the kube-api-access volume and its mounts, automount opt-outs),
// the kube-root-ca.crt ConfigMap in every namespace, and (as root, with the node agent) a running
// container that reads its bound token, CA and namespace; the token then authenticates.
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeJwt } from "jose";
import type { BoundClaims } from "../../src/auth/service-account-token.js";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  volumes?: { name: string; projected?: unknown }[];
  containers: { volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
  initContainers?: { volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
}

const MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
const support = await isolatedNetworkSupport();
const agentSkip = process.getuid?.() !== 0 ? "needs root (the process runtime mounts volumes only as root)" : support.ok ? undefined : support.reason;

function podManifest(name: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "kubelite/pause" }], ...spec } });
}

describe("ServiceAccount admission and the root CA publisher", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ datastore: "memory" });
  });
  after(async () => server.close());

  async function ok(args: string[], input?: string): Promise<string> {
    const result = await server.kubectl(args, { input });
    assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  }
  const podSpec = async (name: string) => (JSON.parse(await ok(["get", "pod", name, "-o", "json"])) as { spec: PodSpec }).spec;

  it("gives a pod the default account and the kube-api-access volume, mounted read-only in every container", async () => {
    await ok(["create", "-f", "-"], podManifest("plain", { initContainers: [{ name: "init", image: "kubelite/pause" }], containers: [{ name: "a", image: "kubelite/pause" }, { name: "b", image: "kubelite/pause" }] }));
    const spec = await podSpec("plain");
    assert.equal(spec.serviceAccountName, "default");
    assert.equal(spec.serviceAccount, "default");
    const volume = spec.volumes?.find((v) => v.name.startsWith("kube-api-access-"));
    assert.match(volume?.name ?? "", /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(volume?.projected, {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    });
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
      assert.deepEqual(container.volumeMounts, [{ name: volume!.name, readOnly: true, mountPath: MOUNT }]);
    }
  });

  it("leaves a container that mounts its own volume at the credentials path alone", async () => {
    const own = { name: "own", emptyDir: {} };
    await ok(["create", "-f", "-"], podManifest("custom", {
      volumes: [own],
      containers: [
        { name: "mine", image: "kubelite/pause", volumeMounts: [{ name: "own", mountPath: MOUNT }] },
        { name: "theirs", image: "kubelite/pause" },
      ],
    }));
    const spec = await podSpec("custom");
    const injected = spec.volumes?.find((v) => v.name.startsWith("kube-api-access-"));
    assert.deepEqual(spec.containers[0]!.volumeMounts, [{ name: "own", mountPath: MOUNT }]);
    assert.deepEqual(spec.containers[1]!.volumeMounts, [{ name: injected!.name, readOnly: true, mountPath: MOUNT }]);
  });

  it("refuses a pod whose service account does not exist, as upstream words it", async () => {
    const result = await server.kubectl(["create", "-f", "-"], { input: podManifest("orphan", { serviceAccountName: "ghost" }) });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Error from server \(Forbidden\).*pods "orphan" is forbidden: error looking up service account default\/ghost: serviceaccount "ghost" not found/);
  });

  it("mounts nothing when the pod or its account opts out with automountServiceAccountToken: false", async () => {
    await ok(["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "quiet" }, automountServiceAccountToken: false }));
    await ok(["create", "-f", "-"], podManifest("quiet-account", { serviceAccountName: "quiet" }));
    await ok(["create", "-f", "-"], podManifest("quiet-pod", { automountServiceAccountToken: false }));
    for (const name of ["quiet-account", "quiet-pod"]) {
      const spec = await podSpec(name);
      assert.equal(spec.volumes, undefined, name);
      assert.equal(spec.containers[0]!.volumeMounts, undefined, name);
    }
  });

  it("publishes the cluster CA as kube-root-ca.crt in every namespace, and puts it back when deleted", async () => {
    const caPem = await readFile(join(server.dataDir, "tls", "ca.crt"), "utf8");
    await ok(["create", "namespace", "team-a"]);
    const read = async () => {
      const result = await server.kubectl(["get", "configmap", "kube-root-ca.crt", "-n", "team-a", "-o", "jsonpath={.data.ca\\.crt}"]);
      return result.code === 0 ? result.stdout : undefined;
    };
    await waitFor(async () => (await read()) === caPem, "kube-root-ca.crt in team-a");
    await ok(["delete", "configmap", "kube-root-ca.crt", "-n", "team-a"]);
    await waitFor(async () => (await read()) === caPem, "kube-root-ca.crt back in team-a");
    await ok(["patch", "configmap", "kube-root-ca.crt", "-n", "team-a", "-p", '{"data":{"ca.crt":"tampered"}}']);
    await waitFor(async () => (await read()) === caPem, "kube-root-ca.crt restored in team-a");
  });
});

describe("a pod's projected service-account token", { skip: agentSkip }, () => {
  let server: TestServer;
  let emptyKubeconfig: string;

  before(async () => {
    server = await startTestServer({ agent: true });
    emptyKubeconfig = join(await mkdtemp(join(tmpdir(), "kubelite-pod-token-")), "empty.yaml");
    await writeFile(emptyKubeconfig, "apiVersion: v1\nkind: Config\n");
  });
  after(async () => server?.close());

  async function ok(args: string[], input?: string): Promise<string> {
    const result = await server.kubectl(args, { input, timeoutMs: 60_000 });
    assert.equal(result.code, 0, `kubectl ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout;
  }

  it("is readable in the container with the CA and namespace, bound to the pod, and authenticates", async () => {
    await ok(["create", "serviceaccount", "reader"]);
    await ok(["create", "-f", "-"], podManifest("reader", { serviceAccountName: "reader", containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] }));
    await ok(["wait", "--for=condition=Ready", "pod/reader", "--timeout=60s"]);
    const token = (await ok(["exec", "reader", "--", "cat", `${MOUNT}/token`])).trim();
    assert.equal(await ok(["exec", "reader", "--", "cat", `${MOUNT}/namespace`]), "default");
    const caPem = await readFile(join(server.dataDir, "tls", "ca.crt"), "utf8");
    assert.equal(await ok(["exec", "reader", "--", "cat", `${MOUNT}/ca.crt`]), caPem);

    const pod = JSON.parse(await ok(["get", "pod", "reader", "-o", "json"])) as { metadata: { uid: string } };
    const claims = decodeJwt(token) as unknown as BoundClaims;
    assert.equal(claims.sub, "system:serviceaccount:default:reader");
    assert.deepEqual(claims["kubernetes.io"].pod, { name: "reader", uid: pod.metadata.uid });
    assert.equal(claims["kubernetes.io"].node?.name, "kubelite-node");
    assert.equal(claims["kubernetes.io"].warnafter, claims.iat + 3607, "the kubelet's default token is extended, with a refresh hint");

    // The API listens on the host's 127.0.0.1, which an isolated pod cannot reach: use the token from here.
    const caFile = join(server.dataDir, "tls", "ca.crt");
    const asPod = (args: string[]) => server.kubectl([`--kubeconfig=${emptyKubeconfig}`, `--server=${server.url}`, `--certificate-authority=${caFile}`, `--token=${token}`, ...args]);
    const authenticated = await asPod(["get", "--raw", "/api"]);
    assert.ok(authenticated.code === 0 || /Forbidden/.test(authenticated.stderr), authenticated.stderr);
    await ok(["delete", "pod", "reader", "--wait=true"]);
    const afterDelete = await asPod(["get", "--raw", "/api"]);
    assert.match(afterDelete.stderr, /Unauthorized/);
  });
});
