// Persistent volumes on the process runtime (real processes, bind mounts in the pod's mount
// namespace: needs root): a pod writes to its claim, is deleted, and a new pod on the same claim
// reads what it wrote; a claim mounted readOnly refuses writes; the provisioned directory lives
// under the node agent's data dir and goes with the claim.
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isolatedNetworkSupport } from "../../src/node/network/choose-network.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

const support = await isolatedNetworkSupport();
const skip = process.getuid?.() !== 0 ? "needs root (bind mounts in pod mount namespaces)" : support.ok ? undefined : support.reason;

describe("persistent volumes on the process runtime", { skip }, () => {
  let server: TestServer;
  let dir: string;
  const kubectl = (args: string[], input?: string) => server.kubectlOk(args, { input, timeoutMs: 90_000 });
  const apply = (manifest: object) => kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
  const podOnClaim = (name: string, mountPath: string, readOnly: boolean) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "notes", readOnly } }],
      containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"], volumeMounts: [{ name: "data", mountPath }] }],
    },
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubelite-pv-test-"));
    server = await startTestServer({ agent: true });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps what a pod wrote to its claim for the next pod on the claim", async () => {
    const mountPath = join(dir, "data");
    await apply({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "notes" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "64Mi" } } } });
    await apply(podOnClaim("writer", mountPath, false));
    await kubectl(["wait", "--for=condition=Ready", "pod/writer", "--timeout=60s"]);
    await kubectl(["exec", "writer", "--", "sh", "-c", `echo kept > ${mountPath}/greeting`]);
    const volume = await kubectl(["get", "pvc", "notes", "-o", "jsonpath={.spec.volumeName}"]);
    const path = await kubectl(["get", "pv", volume, "-o", "jsonpath={.spec.hostPath.path}"]);
    assert.ok(path.startsWith(join(server.dataDir, "agents", "kubelite-node", "volumes") + "/"), path);
    await kubectl(["delete", "pod", "writer", "--wait=true"]);
    assert.equal(await kubectl(["get", "pvc", "notes", "-o", "jsonpath={.status.phase}"]), "Bound");

    await apply(podOnClaim("reader", mountPath, true));
    await kubectl(["wait", "--for=condition=Ready", "pod/reader", "--timeout=60s"]);
    assert.equal(await kubectl(["exec", "reader", "--", "cat", `${mountPath}/greeting`]), "kept\n");
    const write = await server.kubectl(["exec", "reader", "--", "sh", "-c", `echo lost > ${mountPath}/greeting`]);
    assert.notEqual(write.code, 0, "a claim mounted readOnly refuses writes");

    await kubectl(["delete", "pod", "reader", "--wait=true"]);
    await kubectl(["delete", "pvc", "notes", "--wait=true"]);
    await waitFor(async () => (await server.kubectl(["get", "pv", volume])).code !== 0, "the provisioned volume to be deleted", 30_000);
    await assert.rejects(stat(path), "the volume's directory is removed");
  });
});
