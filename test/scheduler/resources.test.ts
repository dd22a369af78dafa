// A pod's effective request as upstream's resource helpers compute it (component-helpers
// resource.PodRequests, v1.32): containers summed, init containers maxed, sidecars (restartable init
// containers) added to both, overhead on top; and the non-zero defaults scoring uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Container, PodSpec } from "../../src/scheduler/api-types.js";
import { computePodResource, DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST } from "../../src/scheduler/resources.js";

const c = (cpu?: string, memory?: string, extra: Record<string, string> = {}): Container => ({
  resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}), ...extra } },
});
const sidecar = (cpu: string, memory?: string): Container => ({ ...c(cpu, memory), restartPolicy: "Always" });

test("effective requests follow the init container, sidecar and overhead rules", () => {
  const cases: [string, PodSpec, { cpu: number; memory: number }][] = [
    ["containers are summed", { containers: [c("1", "1G"), c("500m", "512Mi")] }, { cpu: 1500, memory: 1e9 + 512 * 2 ** 20 }],
    ["an init container larger than the sum wins per resource (upstream's example)",
      { initContainers: [c("2", "1G"), c("2", "3G")], containers: [c("2", "1G"), c("1", "1G")] }, { cpu: 3000, memory: 3e9 }],
    ["sidecars add to the containers' sum", { initContainers: [sidecar("1")], containers: [c("1")] }, { cpu: 2000, memory: 0 }],
    ["an init container counts the sidecars started before it",
      { initContainers: [sidecar("1"), c("5"), sidecar("2")], containers: [c("1")] }, { cpu: 6000, memory: 0 }],
    ["sidecars started after an init container do not count for it",
      { initContainers: [c("3"), sidecar("1"), sidecar("1")], containers: [c("1")] }, { cpu: 3000, memory: 0 }],
    ["sidecars sum past a smaller init container",
      { initContainers: [sidecar("2"), c("1"), sidecar("2")], containers: [c("1")] }, { cpu: 5000, memory: 0 }],
    ["overhead is added", { containers: [c("1", "1Gi")], overhead: { cpu: "250m", memory: "120Mi" } }, { cpu: 1250, memory: 2 ** 30 + 120 * 2 ** 20 }],
    ["overhead is added after the init maximum", { initContainers: [c("4")], containers: [c("1")], overhead: { cpu: "100m" } }, { cpu: 4100, memory: 0 }],
    ["no requests is zero", { containers: [{}] }, { cpu: 0, memory: 0 }],
  ];
  for (const [name, spec, want] of cases) {
    const { request } = computePodResource(spec);
    assert.deepEqual({ cpu: request.milliCPU, memory: request.memory }, want, name);
  }
});

test("containers without cpu or memory requests count upstream's defaults when scoring", () => {
  const cases: [string, PodSpec, { cpu: number; memory: number }][] = [
    ["nothing requested", { containers: [{}] }, { cpu: DEFAULT_MILLI_CPU_REQUEST, memory: DEFAULT_MEMORY_REQUEST }],
    ["two empty containers", { containers: [{}, {}] }, { cpu: 2 * DEFAULT_MILLI_CPU_REQUEST, memory: 2 * DEFAULT_MEMORY_REQUEST }],
    ["cpu only", { containers: [c("250m")] }, { cpu: 250, memory: DEFAULT_MEMORY_REQUEST }],
    ["an explicit zero stays zero", { containers: [c("0", "0")] }, { cpu: 0, memory: 0 }],
    ["init containers get defaults too", { initContainers: [{}, {}, {}], containers: [c("50m", "1Mi")] }, { cpu: 100, memory: DEFAULT_MEMORY_REQUEST }],
  ];
  for (const [name, spec, want] of cases) {
    const r = computePodResource(spec);
    assert.deepEqual({ cpu: r.nonZeroMilliCPU, memory: r.nonZeroMemory }, want, name);
  }
});

test("extended resources and hugepages are scalar resources, unknown unprefixed names are ignored", () => {
  const { request } = computePodResource({ containers: [c("1", undefined, { "example.com/gpu": "2", "hugepages-2Mi": "4Mi", "ephemeral-storage": "1Gi", bogus: "3" })] });
  assert.equal(request.scalarValue("example.com/gpu"), 2);
  assert.equal(request.scalarValue("hugepages-2Mi"), 4 * 2 ** 20);
  assert.equal(request.ephemeralStorage, 2 ** 30);
  assert.equal(request.scalarValue("bogus"), 0);
});
