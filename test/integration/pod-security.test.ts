// PodSecurity admission seen through kubectl: the cluster default enforces baseline and warns
// against restricted; namespace labels tighten or relax it; kube-system is exempt; pod controllers
// are only warned; tightening a namespace reports the pods already there.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.js";

function pod(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "1000"] }], ...spec } });
}

const RESTRICTED_CONTAINER = {
  name: "c",
  image: "busybox",
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
};

describe("pod security admission", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("refuses a privileged pod with a hostPath volume in default with upstream's message", async () => {
    const result = await server.kubectl(["apply", "-f", "-"], {
      input: pod("root", {
        containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }],
        volumes: [{ name: "host", hostPath: { path: "/var/lib" } }],
      }),
    });
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /Error from server \(Forbidden\): .*pods "root" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes \(volume "host"\), privileged \(container "c" must not set securityContext.privileged=true\)/,
    );
    const overrides = JSON.stringify({ spec: { containers: [{ name: "root", image: "busybox", securityContext: { privileged: true } }] } });
    const run = await server.kubectl(["run", "root", "--image=busybox", `--overrides=${overrides}`]);
    assert.match(run.stderr, /^Error from server \(Forbidden\): pods "root" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "root" must not set securityContext.privileged=true\)/);
    const hostNetwork = await server.kubectl(["create", "-f", "-"], { input: pod("hostnet", { hostNetwork: true }) });
    assert.match(hostNetwork.stderr, /violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/);
  });

  it("admits a baseline pod in default with restricted warnings", async () => {
    const result = await server.kubectl(["apply", "-f", "-"], { input: pod("plain", {}) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "c" must set securityContext.allowPrivilegeEscalation=false\), unrestricted capabilities \(container "c" must set securityContext.capabilities.drop=\["ALL"\]\), runAsNonRoot != true \(pod or container "c" must set securityContext.runAsNonRoot=true\), seccompProfile \(pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"\)/);
  });

  it("enforces restricted once the namespace is labelled, and warns about the pods already there", async () => {
    assert.equal((await server.kubectl(["create", "namespace", "tight"])).code, 0);
    assert.equal((await server.kubectl(["apply", "-n", "tight", "-f", "-"], { input: pod("old", {}) })).code, 0);
    const label = await server.kubectl(["label", "ns", "tight", "pod-security.kubernetes.io/enforce=restricted"]);
    assert.equal(label.code, 0, label.stderr);
    assert.match(label.stderr, /Warning: existing pods in namespace "tight" violate the new PodSecurity enforce level "restricted:latest"/);
    assert.match(label.stderr, /Warning: old: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile/);

    const refused = await server.kubectl(["apply", "-n", "tight", "-f", "-"], { input: pod("new", {}) });
    assert.match(refused.stderr, /pods "new" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
    const compliant = await server.kubectl(["apply", "-n", "tight", "-f", "-"], { input: pod("good", { containers: [RESTRICTED_CONTAINER] }) });
    assert.equal(compliant.code, 0, compliant.stderr);
    assert.doesNotMatch(compliant.stderr, /Warning/);
  });

  it("refuses bad policy labels with a 422 naming the label", async () => {
    const result = await server.kubectl(["label", "ns", "tight", "pod-security.kubernetes.io/warn=strict", "--overwrite"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Namespace "tight" is invalid: metadata.labels\[pod-security.kubernetes.io\/warn\]: Invalid value: "strict": must be one of privileged, baseline, restricted/);
  });

  it("lets a namespace labelled privileged run privileged pods, and exempts kube-system", async () => {
    assert.equal((await server.kubectl(["create", "namespace", "loose"])).code, 0);
    assert.equal((await server.kubectl(["label", "ns", "loose", "pod-security.kubernetes.io/enforce=privileged", "pod-security.kubernetes.io/warn=privileged"])).code, 0);
    const privileged = pod("root", { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] });
    const loose = await server.kubectl(["apply", "-n", "loose", "-f", "-"], { input: privileged });
    assert.equal(loose.code, 0, loose.stderr);
    assert.doesNotMatch(loose.stderr, /Warning/);
    const system = await server.kubectl(["apply", "-n", "kube-system", "-f", "-"], { input: privileged });
    assert.equal(system.code, 0, system.stderr);
  });

  it("only warns about a Deployment whose template breaks the enforce level", async () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "hostnet" },
      spec: { replicas: 1, selector: { matchLabels: { app: "hostnet" } }, template: { metadata: { labels: { app: "hostnet" } }, spec: { hostNetwork: true, containers: [{ name: "c", image: "busybox" }] } } },
    };
    const result = await server.kubectl(["apply", "-f", "-"], { input: JSON.stringify(deployment) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Warning: would violate PodSecurity "restricted:latest": host namespaces \(hostNetwork=true\)/);
    // Its pods are refused, and the ReplicaSet says why, as upstream's FailedCreate event.
    let events = "";
    for (const deadline = Date.now() + 10_000; !/forbidden/.test(events) && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
      events = (await server.kubectl(["get", "events", "--field-selector", "reason=FailedCreate", "-o", "jsonpath={.items[*].message}"])).stdout;
    }
    assert.match(events, /Error creating: pods "hostnet-[a-z0-9]+-[a-z0-9]+" is forbidden: violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/);
  });
});
