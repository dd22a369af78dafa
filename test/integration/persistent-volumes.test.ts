// Persistent storage through the real kubectl on a real server with simulated nodes: the
// article's claim waits with ProvisioningFailed naming its missing class; the default class
// `local-path` and the DefaultStorageClass admission; binding to static volumes by size and access
// mode; dynamic provisioning once a pod is scheduled (WaitForFirstConsumer), with node affinity;
// reclaim (Delete, Retain); the protection finalizers; and upstream's messages for bad input.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.js";

const ARTICLE_PVC = "/work/shared/examples/pvc.yaml";
const KUBELITE = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "kubelite.js");

describe("persistent volumes", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ simulatedNodes: 2, leaseRenewIntervalMs: 200 });
  });
  after(() => server.close());

  const kubectl = (...args: string[]): Promise<string> => server.kubectlOk(args);

  async function apply(manifest: string): Promise<string> {
    const result = await server.kubectl(["apply", "-f", "-"], { input: manifest });
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  }

  async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const kubeliteWhy = (what: string) => promisify(execFile)(process.execPath, [KUBELITE, "why", what], { env: { ...process.env, KUBECONFIG: server.kubeconfigPath } });

  const field = (kind: string, name: string, path: string) => kubectl("get", kind, name, "-o", `jsonpath={${path}}`);

  it("leaves the article's claim Pending with ProvisioningFailed naming the missing class", async () => {
    assert.match(await kubectl("apply", "-f", ARTICLE_PVC), /persistentvolumeclaim\/data-pvc created/);
    await eventually(async () => /ProvisioningFailed/.test(await kubectl("describe", "pvc", "data-pvc")), "the ProvisioningFailed event");
    const describe = await kubectl("describe", "pvc", "data-pvc");
    assert.match(describe, /Status:\s+Pending/);
    assert.match(describe, /Warning\s+ProvisioningFailed\s+\S+\s+\S+\s+storageclass\.storage\.k8s\.io "fast-ssd" not found/);
    const why = await kubeliteWhy("pvc/data-pvc");
    assert.match(why.stdout, /^pvc\/data-pvc \(namespace default\) is Pending\n  its StorageClass fast-ssd does not exist/);
    assert.match(why.stdout, /last event: Warning ProvisioningFailed: storageclass\.storage\.k8s\.io "fast-ssd" not found/);
    assert.match(await kubectl("get", "pvc", "data-pvc"), /NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\ndata-pvc\s+Pending\s+fast-ssd\s+<unset>/);
  });

  const claim = (name: string, extra: string, size = "1Gi", mode = "ReadWriteOnce") => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:
  accessModes: [${mode}]
  resources:
    requests:
      storage: ${size}
${extra}`;

  const podUsing = (name: string, claimName: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: app
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: ${claimName}
`;

  it("binds the article's claim once its class exists and a pod uses it", async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast-ssd
provisioner: kubelite.io/local-path
volumeBindingMode: WaitForFirstConsumer
`);
    await eventually(async () => /waiting for first consumer to be created before binding/.test(await kubectl("describe", "pvc", "data-pvc")), "the WaitForFirstConsumer event");
    assert.equal(await field("pvc", "data-pvc", ".status.phase"), "Pending");
    await apply(podUsing("article-app", "data-pvc"));
    await eventually(async () => (await field("pvc", "data-pvc", ".status.phase")) === "Bound", "the claim to bind");
    await eventually(async () => (await field("pod", "article-app", ".status.phase")) === "Running", "the pod to run");
    const volume = await field("pvc", "data-pvc", ".spec.volumeName");
    const node = await field("pod", "article-app", ".spec.nodeName");
    assert.match(volume, /^pvc-[0-9a-f-]{36}$/);
    assert.equal(await field("pvc", "data-pvc", ".metadata.annotations.volume\\.kubernetes\\.io/selected-node"), node);
    assert.equal(await field("pv", volume, ".spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]"), node);
    assert.match(await kubectl("get", "pvc", "data-pvc"), new RegExp(`data-pvc\\s+Bound\\s+${volume}\\s+10Gi\\s+RWO\\s+fast-ssd\\s+<unset>`));
    assert.match(await kubectl("get", "pv", volume), new RegExp(`${volume}\\s+10Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/data-pvc\\s+fast-ssd\\s+<unset>`));
    assert.match((await kubeliteWhy("pvc/data-pvc")).stdout, new RegExp(`is Bound\\n  bound to persistentvolume ${volume}, on node ${node}: its pods run there`));
    const events = await kubectl("describe", "pvc", "data-pvc");
    assert.match(events, /Normal\s+ExternalProvisioning/);
    assert.match(events, /Normal\s+ProvisioningSucceeded\s+\S+\s+\S+\s+Successfully provisioned volume pvc-/);
  });

  it("gives a claim without a class the default local-path class, and provisions it for its pod", async () => {
    assert.match(await kubectl("get", "storageclass"), /local-path \(default\)\s+kubelite\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false/);
    await apply(claim("plain", ""));
    assert.equal(await field("pvc", "plain", ".spec.storageClassName"), "local-path");
    assert.equal(await field("pvc", "plain", ".metadata.finalizers[0]"), "kubernetes.io/pvc-protection");
    await apply(podUsing("plain-app", "plain"));
    await eventually(async () => (await field("pvc", "plain", ".status.phase")) === "Bound", "the claim to bind");
    await eventually(async () => (await field("pod", "plain-app", ".status.phase")) === "Running", "the pod to run");
    const volume = await field("pvc", "plain", ".spec.volumeName");
    assert.equal(await field("pv", volume, ".spec.hostPath.type"), "DirectoryOrCreate");
    assert.equal(await field("pv", volume, ".metadata.finalizers[0]"), "kubernetes.io/pv-protection");
  });

  it("keeps a claim in use by a pod until the pod goes (pvc-protection), then deletes its provisioned volume", async () => {
    const volume = await field("pvc", "plain", ".spec.volumeName");
    const started = await server.kubectl(["delete", "pvc", "plain", "--wait=false"]);
    assert.equal(started.code, 0, started.stderr);
    await new Promise((r) => setTimeout(r, 500));
    assert.match(await kubectl("get", "pvc", "plain"), /plain\s+Terminating/);
    await kubectl("delete", "pod", "plain-app", "--timeout=30s");
    await eventually(async () => (await server.kubectl(["get", "pvc", "plain"])).code !== 0, "the claim to go");
    await eventually(async () => (await server.kubectl(["get", "pv", volume])).code !== 0, "the provisioned volume to be deleted");
  });

  it("provisions a claim of an Immediate local-path class at once, and its pod follows the volume", async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: instant
provisioner: kubelite.io/local-path
`);
    await apply(claim("instant", "  storageClassName: instant"));
    await eventually(async () => (await field("pvc", "instant", ".status.phase")) === "Bound", "the claim to bind without a pod");
    const volume = await field("pvc", "instant", ".spec.volumeName");
    const pinnedTo = await field("pv", volume, ".spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]");
    assert.match(pinnedTo, /^simulated-\d$/);
    await apply(podUsing("instant-app", "instant"));
    await eventually(async () => (await field("pod", "instant-app", ".status.phase")) === "Running", "the pod to run");
    assert.equal(await field("pod", "instant-app", ".spec.nodeName"), pinnedTo);
  });

  it("binds a claim to a static volume matching its size and access mode", async () => {
    const pv = (name: string, size: string, mode: string, policy: string) => `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
spec:
  capacity:
    storage: ${size}
  accessModes: [${mode}]
  persistentVolumeReclaimPolicy: ${policy}
  storageClassName: manual
  hostPath:
    path: /tmp/kubelite-test-${name}
`;
    await apply(pv("small", "1Gi", "ReadWriteOnce", "Retain") + "---\n" + pv("big", "20Gi", "ReadWriteOnce", "Retain") + "---\n" + pv("shared", "5Gi", "ReadWriteMany", "Retain") + "---\n" + pv("right", "5Gi", "ReadWriteOnce", "Retain"));
    await eventually(async () => (await field("pv", "right", ".status.phase")) === "Available", "the volumes to be Available");
    await apply(claim("static", "  storageClassName: manual", "3Gi"));
    await eventually(async () => (await field("pvc", "static", ".status.phase")) === "Bound", "the claim to bind");
    assert.equal(await field("pvc", "static", ".spec.volumeName"), "right");
    assert.match(await kubectl("get", "pvc", "static"), /static\s+Bound\s+right\s+5Gi\s+RWO\s+manual/);
    assert.match(await kubectl("get", "pv", "right"), /right\s+5Gi\s+RWO\s+Retain\s+Bound\s+default\/static\s+manual/);
  });

  it("leaves a Retain volume Released when its claim goes", async () => {
    await kubectl("delete", "pvc", "static", "--timeout=30s");
    await eventually(async () => (await field("pv", "right", ".status.phase")) === "Released", "the volume to be Released");
    assert.match(await kubectl("get", "pv", "right"), /right\s+5Gi\s+RWO\s+Retain\s+Released\s+default\/static\s+manual/);
  });

  it("keeps a pod whose claim's volume is on another node Pending with upstream's reason", async () => {
    await apply(`apiVersion: v1
kind: PersistentVolume
metadata:
  name: elsewhere
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: pinned
  hostPath: {path: /tmp/kubelite-test-elsewhere}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [no-such-node]}
`);
    await apply(claim("pinned", "  storageClassName: pinned"));
    await eventually(async () => (await field("pvc", "pinned", ".status.phase")) === "Bound", "the claim to bind");
    await apply(podUsing("pinned-app", "pinned"));
    await eventually(async () => /FailedScheduling/.test(await kubectl("describe", "pod", "pinned-app")), "the FailedScheduling event");
    assert.match(await kubectl("describe", "pod", "pinned-app"), /0\/2 nodes are available: 2 node\(s\) had volume node affinity conflict/);
  });

  it("refuses bad claims with upstream's messages", async () => {
    const negative = await server.kubectl(["apply", "-f", "-"], { input: claim("negative", "", "-1Gi") });
    assert.notEqual(negative.code, 0);
    assert.match(negative.stderr, /spec\.resources\[storage\]: Invalid value: "-1Gi": must be greater than zero/);
    const badMode = await server.kubectl(["apply", "-f", "-"], { input: claim("badmode", "", "1Gi", "ReadWriteSometimes") });
    assert.notEqual(badMode.code, 0);
    assert.match(badMode.stderr, /spec\.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"/);
    const changed = await server.kubectl(["patch", "pvc", "data-pvc", "--type=merge", "-p", '{"spec":{"accessModes":["ReadWriteMany"]}}']);
    assert.notEqual(changed.code, 0);
    assert.match(changed.stderr, /spec: Forbidden: spec is immutable after creation except resources\.requests and volumeAttributesClassName for bound claims/);
    const shrunk = await server.kubectl(["patch", "pvc", "data-pvc", "--type=merge", "-p", '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}']);
    assert.match(shrunk.stderr, /spec\.resources\.requests\.storage: Forbidden: field can not be less than previous value/);
    const provisioner = await server.kubectl(["patch", "storageclass", "fast-ssd", "--type=merge", "-p", '{"provisioner":"example.com/other"}']);
    assert.match(provisioner.stderr, /provisioner: Forbidden: updates to provisioner are forbidden\./);
    const source = await server.kubectl(["patch", "pv", "right", "--type=merge", "-p", '{"spec":{"hostPath":{"path":"/elsewhere"}}}']);
    assert.match(source.stderr, /spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation/);
  });
});
