// The status a node reports for its pods, computed as the kubelet does (generateAPIPodStatus and
// getPhase), from runtime facts and probe results.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { podStatus, type ContainerView } from "../../src/node/pod-status.js";
import type { ContainerSpec, Pod, PodStatusJson } from "../../src/node/pod-types.js";
import type { ContainerStatus, SandboxStatus } from "../../src/node/runtime/runtime.js";

const NOW = new Date("2026-01-01T00:00:10Z");
const T0 = new Date("2026-01-01T00:00:00Z");
const sandbox: SandboxStatus = { id: "sb", state: "ready", ips: ["10.42.0.9"], createdAt: T0, labels: {}, attempt: 0 };

function run(name: string, attempt: number, state: ContainerStatus["state"], exitCode?: number, reason?: string): ContainerStatus {
  return { id: `${name}-${attempt}`, sandboxId: "sb", name, attempt, state, image: "img", createdAt: T0, startedAt: T0, ...(state === "exited" ? { finishedAt: NOW, exitCode, reason } : {}), logPath: "/x", labels: {}, resources: {} };
}

function view(spec: ContainerSpec, runs: ContainerStatus[], extra: Partial<ContainerView> = {}): ContainerView {
  const running = runs.at(-1)?.state === "running";
  return { spec, runs, ready: running, started: running, ...extra };
}

function status(spec: Partial<Pod["spec"]>, containers: ContainerView[], init: ContainerView[] = [], previous?: PodStatusJson, terminating = false): PodStatusJson {
  const pod: Pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "d", uid: "u" }, spec: { containers: containers.map((c) => c.spec), ...spec }, ...(previous ? { status: previous } : {}) };
  return podStatus({ pod, sandbox, hostIP: "10.0.0.1", initContainers: init, containers, runtimeName: "process", terminating, now: NOW });
}

const condition = (s: PodStatusJson, type: string) => s.conditions?.find((c) => c.type === type);

describe("pod status", () => {
  it("a running, ready container makes the pod Running and Ready with its IP", () => {
    const s = status({}, [view({ name: "web", image: "img" }, [run("web", 0, "running")])]);
    assert.equal(s.phase, "Running");
    assert.equal(s.podIP, "10.42.0.9");
    assert.equal(condition(s, "Ready")?.status, "True");
    assert.deepEqual(s.containerStatuses?.[0]?.state, { running: { startedAt: "2026-01-01T00:00:00Z" } });
    assert.equal(s.containerStatuses?.[0]?.containerID, "process://web-0");
    assert.equal(s.containerStatuses?.[0]?.ready, true);
  });

  it("a container not yet created is waiting in ContainerCreating and the pod Pending", () => {
    const s = status({}, [view({ name: "web" }, [])]);
    assert.equal(s.phase, "Pending");
    assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: "ContainerCreating" } });
    assert.equal(condition(s, "Ready")?.message, "containers with unready status: [web]");
    assert.equal(condition(s, "ContainersReady")?.reason, "ContainersNotReady");
  });

  it("a crash-looping container waits in CrashLoopBackOff with its last termination, and the pod stays Running", () => {
    const s = status({}, [view({ name: "web" }, [run("web", 0, "exited", 1), run("web", 1, "exited", 2)], { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container=web pod=p_d(u)" } })]);
    assert.equal(s.phase, "Running");
    const c = s.containerStatuses![0]!;
    assert.equal(c.state.waiting?.reason, "CrashLoopBackOff");
    assert.equal(c.lastState.terminated?.exitCode, 2);
    assert.equal(c.lastState.terminated?.reason, "Error");
    assert.equal(c.restartCount, 1);
  });

  it("keeps the OOMKilled reason the runtime reports", () => {
    const s = status({ restartPolicy: "Never" }, [view({ name: "hog" }, [run("hog", 0, "exited", 137, "OOMKilled")])]);
    assert.equal(s.containerStatuses?.[0]?.state.terminated?.reason, "OOMKilled");
    assert.equal(s.phase, "Failed");
  });

  it("restartPolicy Never: exit 0 is Succeeded, OnFailure with exit 0 too", () => {
    assert.equal(status({ restartPolicy: "Never" }, [view({ name: "job" }, [run("job", 0, "exited", 0)])]).phase, "Succeeded");
    assert.equal(status({ restartPolicy: "OnFailure" }, [view({ name: "job" }, [run("job", 0, "exited", 0)])]).phase, "Succeeded");
    const done = status({ restartPolicy: "Never" }, [view({ name: "job" }, [run("job", 0, "exited", 0)])]);
    assert.equal(done.containerStatuses?.[0]?.state.terminated?.reason, "Completed");
    assert.equal(condition(done, "Ready")?.reason, "PodCompleted");
  });

  it("init containers still running keep the pod Pending and the main containers in PodInitializing", () => {
    const s = status({ initContainers: [{ name: "setup" }] }, [view({ name: "web" }, [])], [view({ name: "setup" }, [run("setup", 0, "running")])]);
    assert.equal(s.phase, "Pending");
    assert.equal(s.containerStatuses?.[0]?.state.waiting?.reason, "PodInitializing");
    assert.equal(condition(s, "Initialized")?.status, "False");
    assert.equal(condition(s, "Initialized")?.message, "containers with incomplete status: [setup]");
  });

  it("a failed init container with restartPolicy Never fails the pod", () => {
    const s = status({ restartPolicy: "Never", initContainers: [{ name: "setup" }] }, [view({ name: "web" }, [])], [view({ name: "setup" }, [run("setup", 0, "exited", 1)])]);
    assert.equal(s.phase, "Failed");
  });

  it("a started sidecar counts as initialized and must be ready for the pod to be Ready", () => {
    const sidecar: ContainerSpec = { name: "proxy", restartPolicy: "Always" };
    const s = status({ initContainers: [sidecar] }, [view({ name: "web" }, [run("web", 0, "running")])], [view(sidecar, [run("proxy", 0, "running")], { ready: false })]);
    assert.equal(condition(s, "Initialized")?.status, "True");
    assert.equal(condition(s, "Ready")?.status, "False");
    assert.equal(condition(s, "Ready")?.message, "containers with unready status: [proxy]");
    assert.equal(s.phase, "Running");
  });

  it("keeps a condition's transition time while its status is unchanged", () => {
    const first = status({}, [view({ name: "web" }, [run("web", 0, "running")])], [], { conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2025-12-31T00:00:00Z" }, { type: "PodScheduled", status: "True", lastTransitionTime: "2025-12-30T00:00:00Z" }] });
    assert.equal(condition(first, "Ready")?.lastTransitionTime, "2025-12-31T00:00:00Z");
    assert.equal(condition(first, "PodScheduled")?.lastTransitionTime, "2025-12-30T00:00:00Z");
    assert.equal(condition(first, "ContainersReady")?.lastTransitionTime, "2026-01-01T00:00:10Z");
  });

  it("a deleted pod whose containers stopped on SIGTERM ends Failed; exit 0 ends Succeeded", () => {
    assert.equal(status({}, [view({ name: "web" }, [run("web", 0, "exited", 143)])], [], undefined, true).phase, "Failed");
    assert.equal(status({}, [view({ name: "web" }, [run("web", 0, "exited", 0)])], [], undefined, true).phase, "Succeeded");
  });
});
