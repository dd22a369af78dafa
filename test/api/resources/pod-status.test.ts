// The pod STATUS, READY and RESTARTS cells as upstream's printPod computes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/api/resource.js";
import { podPrintState } from "../../../src/api/resources/pod-status.js";
import { NOW, ago } from "./fixtures.js";

type Status = Record<string, unknown>;

function pod(status: Status, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name: "p", ...metadata }, spec: { containers: [{ name: "app", image: "x" }], ...spec }, status };
}

const waiting = (reason: string) => ({ name: "app", ready: false, restartCount: 0, state: { waiting: { reason } } });
const running = (ready = true) => ({ name: "app", ready, restartCount: 0, state: { running: { startedAt: ago(60) } } });
const terminated = (reason: string, exitCode: number, extra: Status = {}) => ({ name: "app", ready: false, restartCount: 0, state: { terminated: { reason, exitCode, ...extra } } });

test("the status column shows the reason users expect for each pod state", () => {
  const initSpec = { initContainers: [{ name: "init", image: "x" }] };
  const cases: [string, KubeObject, string, string][] = [
    ["pending without statuses", pod({ phase: "Pending" }), "Pending", "0/1"],
    ["creating containers", pod({ phase: "Pending", containerStatuses: [waiting("ContainerCreating")] }), "ContainerCreating", "0/1"],
    ["pulling failed", pod({ phase: "Pending", containerStatuses: [waiting("ImagePullBackOff")] }), "ImagePullBackOff", "0/1"],
    ["running and ready", pod({ phase: "Running", containerStatuses: [running()] }), "Running", "1/1"],
    ["running, not ready", pod({ phase: "Running", containerStatuses: [running(false)] }), "Running", "0/1"],
    ["crash looping", pod({ phase: "Running", containerStatuses: [{ ...waiting("CrashLoopBackOff"), restartCount: 4 }] }), "CrashLoopBackOff", "0/1"],
    ["completed", pod({ phase: "Succeeded", containerStatuses: [terminated("Completed", 0)] }), "Completed", "0/1"],
    ["failed with an error", pod({ phase: "Failed", containerStatuses: [terminated("Error", 1)] }), "Error", "0/1"],
    ["killed for memory", pod({ phase: "Running", containerStatuses: [terminated("OOMKilled", 137)] }), "OOMKilled", "0/1"],
    ["terminated by a signal without reason", pod({ phase: "Failed", containerStatuses: [terminated("", 0, { signal: 9 })] }), "Signal:9", "0/1"],
    ["terminated with a code without reason", pod({ phase: "Failed", containerStatuses: [terminated("", 3)] }), "ExitCode:3", "0/1"],
    ["waiting for an init container", pod({ phase: "Pending", initContainerStatuses: [{ name: "init", state: { running: {} } }], containerStatuses: [waiting("PodInitializing")] }, initSpec), "Init:0/1", "0/1"],
    ["an init container crash looping", pod({ phase: "Pending", initContainerStatuses: [{ name: "init", restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff" } } }] }, initSpec), "Init:CrashLoopBackOff", "0/1"],
    ["an init container that failed", pod({ phase: "Pending", initContainerStatuses: [{ name: "init", state: { terminated: { exitCode: 2 } } }] }, initSpec), "Init:ExitCode:2", "0/1"],
    ["an init container that failed with a reason", pod({ phase: "Pending", initContainerStatuses: [{ name: "init", state: { terminated: { exitCode: 1, reason: "Error" } } }] }, initSpec), "Init:Error", "0/1"],
    ["initialized", pod({ phase: "Running", initContainerStatuses: [{ name: "init", state: { terminated: { exitCode: 0, reason: "Completed" } } }], containerStatuses: [running()] }, initSpec), "Running", "1/1"],
    ["terminating", pod({ phase: "Running", containerStatuses: [running()] }, {}, { deletionTimestamp: ago(1) }), "Terminating", "1/1"],
    ["deleted on a lost node", pod({ phase: "Running", reason: "NodeLost", containerStatuses: [running()] }, {}, { deletionTimestamp: ago(1) }), "Unknown", "1/1"],
    ["a finished pod being deleted", pod({ phase: "Succeeded", containerStatuses: [terminated("Completed", 0)] }, {}, { deletionTimestamp: ago(1) }), "Completed", "0/1"],
    ["evicted", pod({ phase: "Failed", reason: "Evicted" }), "Evicted", "0/1"],
    ["gated", pod({ phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] }), "SchedulingGated", "0/1"],
  ];
  for (const [name, p, status, ready] of cases) {
    const state = podPrintState(p, NOW);
    assert.equal(state.status, status, name);
    assert.equal(state.ready, ready, name);
  }
});

test("a completed container next to a running one reads Running or NotReady by the Ready condition", () => {
  const spec = { containers: [{ name: "a", image: "x" }, { name: "b", image: "x" }] };
  const statuses = [{ ...terminated("Completed", 0), name: "a" }, { ...running(), name: "b" }];
  assert.equal(podPrintState(pod({ phase: "Running", containerStatuses: statuses, conditions: [{ type: "Ready", status: "True" }] }, spec), NOW).status, "Running");
  assert.equal(podPrintState(pod({ phase: "Running", containerStatuses: statuses }, spec), NOW).status, "NotReady");
});

test("sidecar init containers count as containers once started", () => {
  const spec = { initContainers: [{ name: "proxy", image: "x", restartPolicy: "Always" }] };
  const state = podPrintState(pod({
    phase: "Running",
    conditions: [{ type: "Initialized", status: "True" }],
    initContainerStatuses: [{ name: "proxy", started: true, ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { finishedAt: ago(120) } } }],
    containerStatuses: [running()],
  }, spec), NOW);
  assert.deepEqual(state, { ready: "2/2", status: "Running", restarts: "1 (2m ago)" });
});

test("restarts say when the last container restarted", () => {
  const status = { phase: "Running", containerStatuses: [{ ...running(), restartCount: 5, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } }] };
  assert.equal(podPrintState(pod(status), NOW).restarts, "5 (5m ago)");
  assert.equal(podPrintState(pod({ phase: "Running", containerStatuses: [{ ...running(), restartCount: 2 }] }), NOW).restarts, "2");
  assert.equal(podPrintState(pod({ phase: "Running", containerStatuses: [running()] }), NOW).restarts, "0");
});
