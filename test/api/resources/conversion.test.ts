// Kinds served in two versions over one storage resource: autoscaling/v1 ⇄ v2 HPAs and
// events.k8s.io/v1 ⇄ core/v1 Events, converted as upstream does.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/api/resource.js";
import { coreToEventsV1, eventsV1ToCore } from "../../../src/api/resources/event-conversion.js";
import { BEHAVIOR_ANNOTATION, METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, hpaV1ToV2, hpaV2ToV1 } from "../../../src/api/resources/hpa-conversion.js";
import { builtinResources } from "../../../src/api/resources/index.js";
import { fixture } from "./fixtures.js";

function hpaDefs() {
  const defs = builtinResources().filter((d) => d.kind === "HorizontalPodAutoscaler");
  const v1 = defs.find((d) => d.version === "v1");
  const v2 = defs.find((d) => d.version === "v2");
  assert.ok(v1?.conversion && v2);
  return { v1, v2, conversion: v1.conversion };
}

test("a v2 HPA reads in v1 with its cpu target as a field and other metrics in the annotation", () => {
  const { v2 } = hpaDefs();
  const stored = fixture("hpa.yaml");
  v2.defaults?.(stored);
  const v1 = hpaV2ToV1(stored);
  assert.equal(v1.apiVersion, "autoscaling/v1");
  assert.deepEqual(v1.spec, { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api-server" }, minReplicas: 3, maxReplicas: 20, targetCPUUtilizationPercentage: 70 });
  assert.equal(v1.metadata?.annotations?.[METRIC_SPECS_ANNOTATION], '[{"type":"Pods","pods":{"metricName":"requests_per_second","targetAverageValue":"500"}}]');
});

test("v2 → v1 → v2 keeps every metric, the cpu one moving last as upstream", () => {
  const { v2 } = hpaDefs();
  const stored = fixture("hpa.yaml");
  v2.defaults?.(stored);
  const back = hpaV1ToV2(hpaV2ToV1(stored));
  const metrics = (stored.spec as { metrics: unknown[] }).metrics;
  assert.deepEqual((back.spec as { metrics: unknown[] }).metrics, [metrics[1], metrics[0]]);
  assert.deepEqual({ ...back, spec: { ...(back.spec as object), metrics } }, stored);
});

test("a v1 HPA round-trips through storage unchanged", () => {
  const { conversion } = hpaDefs();
  const v1: KubeObject = {
    apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "web", namespace: "default", annotations: { team: "a" } },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 2, maxReplicas: 8, targetCPUUtilizationPercentage: 60 },
    status: { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 75, lastScaleTime: "2025-01-01T00:00:00Z" },
  };
  const stored = conversion.toStorage(v1);
  assert.equal(stored.apiVersion, "autoscaling/v2");
  assert.deepEqual((stored.status as { currentMetrics: unknown }).currentMetrics, [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 75 } } }]);
  const read = conversion.fromStorage(stored);
  assert.deepEqual(read.spec, v1.spec);
  assert.deepEqual(read.metadata?.annotations, { team: "a", [METRIC_STATUSES_ANNOTATION]: '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":75,"currentAverageValue":"0"}}]' });
  assert.deepEqual(conversion.fromStorage(conversion.toStorage(read)), read);
});

test("a v1 HPA without a cpu target is stored with v2's 80% default", () => {
  const { conversion } = hpaDefs();
  const stored = conversion.toStorage({ apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "web" }, spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, maxReplicas: 4 } });
  assert.deepEqual((stored.spec as { metrics: unknown }).metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
  assert.equal((conversion.fromStorage(stored).spec as { targetCPUUtilizationPercentage: number }).targetCPUUtilizationPercentage, 80);
});

test("behavior travels through v1 in the annotation with upstream's Go field names", () => {
  const behavior = { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: "Max", policies: [{ type: "Pods", value: 1, periodSeconds: 30 }] } };
  const v2: KubeObject = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "web" }, spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, maxReplicas: 4, behavior } };
  const v1 = hpaV2ToV1(v2);
  assert.equal(v1.metadata?.annotations?.[BEHAVIOR_ANNOTATION], '{"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":1,"PeriodSeconds":30}]}}');
  assert.deepEqual((hpaV1ToV2(v1).spec as { behavior: unknown }).behavior, behavior);
});

test("events.k8s.io events and core events are the same objects under different field names", () => {
  const v1: KubeObject = {
    apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "web.17a", namespace: "default" }, eventTime: "2025-01-01T00:00:00.000000Z",
    reportingController: "kubelite.io/scheduler", reportingInstance: "kubelite-1", action: "Binding", reason: "Scheduled", type: "Normal",
    regarding: { kind: "Pod", namespace: "default", name: "web", uid: "u1" }, note: "Successfully assigned default/web to n1",
    deprecatedSource: { component: "default-scheduler" }, deprecatedCount: 2, deprecatedFirstTimestamp: "2025-01-01T00:00:00Z", series: { count: 2, lastObservedTime: "2025-01-01T00:01:00.000000Z" },
  };
  const core = eventsV1ToCore(v1);
  assert.deepEqual(core, {
    apiVersion: "v1", kind: "Event", metadata: v1.metadata, eventTime: v1.eventTime, series: v1.series, reportingInstance: "kubelite-1", action: "Binding", reason: "Scheduled", type: "Normal",
    involvedObject: v1.regarding, message: v1.note, reportingComponent: "kubelite.io/scheduler", source: { component: "default-scheduler" }, firstTimestamp: v1.deprecatedFirstTimestamp, count: 2,
  });
  const back = coreToEventsV1(core);
  assert.deepEqual(back, v1);
});

test("events.k8s.io selects events by its own field names", () => {
  const def = builtinResources().find((d) => d.group === "events.k8s.io");
  const core: KubeObject = { apiVersion: "v1", kind: "Event", involvedObject: { kind: "Pod", name: "web" }, reportingComponent: "kubelet", type: "Warning" };
  assert.equal(def?.fieldSelectors?.["regarding.name"]?.(core), "web");
  assert.equal(def?.fieldSelectors?.["reportingController"]?.(coreToEventsV1(core)), "kubelet");
  assert.equal(def?.storageResource, "events");
  assert.equal(def?.conversion?.storageVersion, "v1");
});
