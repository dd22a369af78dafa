// The Job and TTL-after-finished controllers against a real server with three simulated nodes
// (which run a Job's pods to Succeeded at once) and the real kubectl: completion, parallelism,
// Indexed mode, backoffLimit, activeDeadlineSeconds, suspend and ttlSecondsAfterFinished. Pods that
// must fail are kept off the nodes (a nodeSelector no node matches) and marked Failed by the test,
// playing the kubelet. Plus table-driven checks of the indexed intervals and the pod failure backoff.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client, type WatchHandle } from "../../src/client/client.js";
import { BackoffStore, getRemainingTime } from "../../src/controllers/job/backoff.js";
import { firstPendingIndexes, formatIntervals, parseIndexesFromString, podGenerateNameWithIndex, withOrderedIndexes } from "../../src/controllers/job/indexed.js";
import { BATCH_JOBS, JOB_TRACKING_FINALIZER, type Job, type Pod } from "../../src/controllers/job/objects.js";
import { FakeClock } from "../client/fake-clock.js";
import type { TestServer } from "../support/test-server.js";
import { createNamespace, rfc3339, startAdminServer } from "./fixtures.js";
import { updatePodStatus, waitFor } from "./mark-ready.js";

const PODS = CORE_V1("pods");
const EVENTS = CORE_V1("events");
/** Keeps pods Pending: no simulated node has this label. */
const NOWHERE = { "kubelite.test/nowhere": "true" };

function jobManifest(name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }], ...podSpec } }, ...spec },
  };
}

/** Plays the kubelet: the pod failed (its container exited 1) a minute ago. */
async function failPod(client: Client, namespace: string, name: string): Promise<void> {
  const finishedAt = rfc3339(Date.now() - 60_000);
  const terminated = { exitCode: 1, reason: "Error", startedAt: finishedAt, finishedAt, containerID: "simulated://c" };
  await updatePodStatus(client, namespace, name, (pod) => ({
    ...(pod.status as Record<string, unknown>),
    phase: "Failed",
    containerStatuses: [{ name: "c", image: "busybox", imageID: "", ready: false, restartCount: 0, started: false, state: { terminated } }],
  }));
}

function conditionTypes(job: Job): string[] {
  return (job.status?.conditions ?? []).filter((c) => c.status === "True").map((c) => c.type);
}

describe("job controller", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory", simulatedNodes: 3 }));
  });
  after(() => server.close());

  const namespace = (name: string): Promise<string> => createNamespace(client, name);

  async function podsOf(ns: string, job: string): Promise<Pod[]> {
    return (await client.list(PODS, { namespace: ns, labelSelector: `batch.kubernetes.io/job-name=${job}` })).items as Pod[];
  }

  async function jobOf(ns: string, name: string): Promise<Job> {
    return (await client.get(BATCH_JOBS, ns, name)) as Job;
  }

  async function waitForCondition(ns: string, name: string, type: string, deadlineMs = 20_000): Promise<Job> {
    return waitFor(async () => {
      const job = await jobOf(ns, name);
      return conditionTypes(job).includes(type) && job;
    }, `job ${name} to be ${type}`, deadlineMs);
  }

  async function eventsOf(ns: string, reason: string): Promise<KubeObject[]> {
    return (await client.list(EVENTS, { namespace: ns, fieldSelector: `reason=${reason}` })).items;
  }

  it("runs kubectl create job to completion, as kubectl wait and kubectl get jobs show", async () => {
    const ns = await namespace("job-pi");
    const created = await server.kubectl(["create", "job", "pi", "-n", ns, "--image=perl", "--", "perl", "-e", "1"]);
    assert.equal(created.code, 0, created.stderr);
    const waited = await server.kubectl(["wait", "-n", ns, "--for=condition=complete", "job/pi", "--timeout=30s"], { timeoutMs: 40_000 });
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, /job.batch\/pi condition met/);
    const listed = await server.kubectl(["get", "jobs", "-n", ns]);
    assert.match(listed.stdout, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\n/);
    assert.match(listed.stdout, /\npi\s+Complete\s+1\/1\s+\d+s\s+\d+s\n/);

    const job = await jobOf(ns, "pi");
    assert.deepEqual(conditionTypes(job), ["SuccessCriteriaMet", "Complete"]);
    const complete = job.status?.conditions?.find((c) => c.type === "Complete");
    assert.equal(complete?.reason, "CompletionsReached");
    assert.equal(complete?.message, "Reached expected number of succeeded pods");
    assert.equal(job.status?.succeeded, 1);
    assert.equal(job.status?.active, undefined);
    assert.deepEqual(job.status?.uncountedTerminatedPods, {});
    assert.equal(job.status?.ready, 0);
    assert.equal(job.status?.terminating, 0);
    assert.ok(job.status?.startTime && job.status.completionTime);

    const [pod, ...others] = await podsOf(ns, "pi");
    assert.equal(others.length, 0);
    assert.equal(pod?.status?.phase, "Succeeded");
    assert.match(pod?.metadata.name ?? "", /^pi-[a-z0-9]{5}$/);
    assert.equal(pod?.metadata.labels?.["job-name"], "pi");
    assert.equal(pod?.metadata.labels?.["batch.kubernetes.io/controller-uid"], job.metadata.uid);
    assert.equal(pod?.metadata.labels?.["controller-uid"], job.metadata.uid);
    assert.deepEqual(pod?.metadata.ownerReferences, [{ apiVersion: "batch/v1", kind: "Job", name: "pi", uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.ok(!(pod?.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER), "the tracking finalizer is removed once counted");

    const [createdEvent] = await eventsOf(ns, "SuccessfulCreate");
    assert.equal(createdEvent?.message, `Created pod: ${pod?.metadata.name}`);
    const completed = await waitFor(async () => (await eventsOf(ns, "Completed"))[0], "the Completed event");
    assert.equal(completed.message, "Job completed");
    assert.equal((completed.source as { component?: string }).component, "job-controller");
  });

  it("keeps at most parallelism pods active until completions pods succeeded", async () => {
    const ns = await namespace("job-parallel");
    const active = new Map<string, boolean>();
    let maxActive = 0;
    const list = await client.list(PODS, { namespace: ns });
    const handle: WatchHandle = client.watch(PODS, { namespace: ns, resourceVersion: list.resourceVersion }, {
      onEvent: (type, pod) => {
        if (type === "BOOKMARK") return;
        const phase = (pod.status as { phase?: string } | undefined)?.phase;
        const running = type !== "DELETED" && phase !== "Succeeded" && phase !== "Failed" && !pod.metadata?.deletionTimestamp;
        active.set(pod.metadata?.name ?? "", running);
        maxActive = Math.max(maxActive, [...active.values()].filter(Boolean).length);
      },
      onClose: () => undefined,
    });
    try {
      await client.create(BATCH_JOBS, ns, jobManifest("batch", { completions: 5, parallelism: 2 }));
      const job = await waitForCondition(ns, "batch", "Complete");
      assert.equal(job.status?.succeeded, 5);
      const pods = await podsOf(ns, "batch");
      assert.equal(pods.length, 5);
      assert.ok(pods.every((p) => p.status?.phase === "Succeeded"));
      assert.ok(maxActive >= 1 && maxActive <= 2, `at most 2 pods were active at once, saw ${maxActive}`);
      assert.match((await server.kubectl(["get", "job", "batch", "-n", ns])).stdout, /batch\s+Complete\s+5\/5/);
    } finally {
      handle.stop();
    }
  });

  it("gives the pods of an indexed job the indexes 0 to completions-1", async () => {
    const ns = await namespace("job-indexed");
    await client.create(BATCH_JOBS, ns, jobManifest("idx", { completions: 3, parallelism: 3, completionMode: "Indexed" }));
    const job = await waitForCondition(ns, "idx", "Complete");
    assert.equal(job.status?.completedIndexes, "0-2");
    assert.equal(job.status?.succeeded, 3);
    const pods = await podsOf(ns, "idx");
    const indexes = pods.map((p) => p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"]).sort();
    assert.deepEqual(indexes, ["0", "1", "2"]);
    for (const pod of pods) {
      const index = pod.metadata.annotations?.["batch.kubernetes.io/job-completion-index"];
      assert.equal(pod.metadata.labels?.["batch.kubernetes.io/job-completion-index"], index);
      assert.match(pod.metadata.name ?? "", new RegExp(`^idx-${index}-[a-z0-9]{5}$`));
      const spec = pod.spec as { hostname?: string; containers?: { env?: unknown[] }[] };
      assert.equal(spec.hostname, `idx-${index}`);
      assert.deepEqual(spec.containers?.[0]?.env, [
        { name: "JOB_COMPLETION_INDEX", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } },
      ]);
    }
  });

  it("replaces a failed pod, then fails the job with BackoffLimitExceeded past backoffLimit", async () => {
    const ns = await namespace("job-backoff");
    await client.create(BATCH_JOBS, ns, jobManifest("flaky", { backoffLimit: 1 }, { nodeSelector: NOWHERE }));
    const first = await waitFor(async () => (await podsOf(ns, "flaky"))[0], "the first pod");
    assert.deepEqual(first.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
    await failPod(client, ns, first.metadata.name ?? "");
    // The failure is a minute old, so the 10 s pod failure backoff has passed: a replacement comes at once.
    const second = await waitFor(async () => (await podsOf(ns, "flaky")).find((p) => p.metadata.name !== first.metadata.name), "the replacement pod");
    const counted = await waitFor(async () => {
      const job = await jobOf(ns, "flaky");
      return job.status?.failed === 1 && job;
    }, "the first failure to be counted");
    assert.deepEqual(conditionTypes(counted), []);
    await failPod(client, ns, second.metadata.name ?? "");
    const failed = await waitForCondition(ns, "flaky", "Failed");
    assert.deepEqual(conditionTypes(failed), ["FailureTarget", "Failed"]);
    const condition = failed.status?.conditions?.find((c) => c.type === "Failed");
    assert.equal(condition?.reason, "BackoffLimitExceeded");
    assert.equal(condition?.message, "Job has reached the specified backoff limit");
    assert.equal(failed.status?.failed, 2);
    assert.equal(failed.status?.active, undefined);
    const waited = await server.kubectl(["wait", "-n", ns, "--for=condition=failed", "job/flaky", "--timeout=10s"]);
    assert.equal(waited.code, 0, waited.stderr);
    const event = await waitFor(async () => (await eventsOf(ns, "BackoffLimitExceeded"))[0], "the BackoffLimitExceeded event");
    assert.equal(event.type, "Warning");
    assert.equal(event.message, "Job has reached the specified backoff limit");
    const pods = await podsOf(ns, "flaky");
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => !(p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER)));
  });

  it("fails a job past activeDeadlineSeconds with DeadlineExceeded and deletes its pods", async () => {
    const ns = await namespace("job-deadline");
    await client.create(BATCH_JOBS, ns, jobManifest("slow", { activeDeadlineSeconds: 3, parallelism: 2, completions: 2 }, { nodeSelector: NOWHERE }));
    await waitFor(async () => (await podsOf(ns, "slow")).length === 2, "two pending pods");
    const failed = await waitForCondition(ns, "slow", "Failed");
    const condition = failed.status?.conditions?.find((c) => c.type === "Failed");
    assert.equal(condition?.reason, "DeadlineExceeded");
    assert.equal(condition?.message, "Job was active longer than specified deadline");
    assert.equal(failed.status?.failed, 2);
    await waitFor(async () => (await podsOf(ns, "slow")).length === 0, "the pods to be deleted");
    const event = await waitFor(async () => (await eventsOf(ns, "DeadlineExceeded"))[0], "the DeadlineExceeded event");
    assert.equal(event.type, "Warning");
  });

  it("starts no pods for a suspended job until it is resumed", async () => {
    const ns = await namespace("job-suspend");
    await client.create(BATCH_JOBS, ns, jobManifest("later", { suspend: true }));
    const suspended = await waitForCondition(ns, "later", "Suspended");
    assert.equal(suspended.status?.startTime, undefined);
    assert.equal((await podsOf(ns, "later")).length, 0);
    await client.patch(BATCH_JOBS, ns, "later", "merge", { spec: { suspend: false } });
    const done = await waitForCondition(ns, "later", "Complete");
    assert.equal(done.status?.conditions?.find((c) => c.type === "Suspended")?.status, "False");
    assert.equal(done.status?.conditions?.find((c) => c.type === "Suspended")?.reason, "JobResumed");
    assert.equal((await eventsOf(ns, "Resumed")).length, 1);
  });

  it("lets the pods of a deleted running job go, removing their tracking finalizer", async () => {
    const ns = await namespace("job-delete");
    await client.create(BATCH_JOBS, ns, jobManifest("doomed", { parallelism: 2, completions: 2 }, { nodeSelector: NOWHERE }));
    await waitFor(async () => (await podsOf(ns, "doomed")).length === 2, "two pending pods");
    const deleted = await server.kubectl(["delete", "job", "doomed", "-n", ns, "--timeout=15s"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    await waitFor(async () => (await podsOf(ns, "doomed")).length === 0, "the pods to be gone");
  });

  it("deletes a finished job and its pods once ttlSecondsAfterFinished passed", async () => {
    const ns = await namespace("job-ttl");
    const job = await client.create(BATCH_JOBS, ns, jobManifest("ephemeral", { ttlSecondsAfterFinished: 0 }));
    await waitFor(async () => {
      try {
        const got = await client.get(BATCH_JOBS, ns, "ephemeral");
        return got.metadata?.uid !== job.metadata?.uid;
      } catch (err) {
        return err instanceof StatusError && err.code === 404;
      }
    }, "the finished job to be deleted");
    await waitFor(async () => (await podsOf(ns, "ephemeral")).length === 0, "its pods to be deleted");
  });
});

describe("job controller arithmetic", () => {
  it("writes completed indexes as upstream does", () => {
    const cases: [number[], string][] = [
      [[], ""],
      [[0], "0"],
      [[0, 1], "0,1"],
      [[0, 1, 2], "0-2"],
      [[1, 3, 4, 5, 7], "1,3-5,7"],
    ];
    for (const [indexes, text] of cases) {
      assert.equal(formatIntervals(withOrderedIndexes([], indexes)), text);
      assert.equal(formatIntervals(parseIndexesFromString(text, 10)), text);
    }
    assert.equal(formatIntervals(parseIndexesFromString("1,x,3-20", 5)), "1,3,4");
    assert.equal(formatIntervals(withOrderedIndexes(parseIndexesFromString("0-2,6", 10), [3, 5])), "0-3,5,6");
  });

  it("starts the lowest indexes neither succeeded nor running", () => {
    const running = (index: number) => ({ metadata: { annotations: { "batch.kubernetes.io/job-completion-index": `${index}` } } }) as Pod;
    assert.deepEqual(firstPendingIndexes(parseIndexesFromString("0,2", 10), [running(1), running(4)], 3, 10), [3, 5, 6]);
    assert.deepEqual(firstPendingIndexes([], [], 5, 3), [0, 1, 2]);
    assert.deepEqual(firstPendingIndexes(parseIndexesFromString("0-9", 10), [], 2, 10), []);
    assert.equal(podGenerateNameWithIndex("pi", 3), "pi-3-");
    assert.equal(podGenerateNameWithIndex("a".repeat(60), 12), `${"a".repeat(54)}-12-`);
  });

  it("backs off 10 s doubling per consecutive failure, from the last failure", () => {
    const clock = new FakeClock(Date.UTC(2025, 0, 1, 12));
    const failedAt = (ms: number) => ({ metadata: { creationTimestamp: rfc3339(ms) }, status: { phase: "Failed" } }) as Pod;
    const store = new BackoffStore();
    const one = store.newBackoffRecord("ns/j", [], [failedAt(clock.now() - 4_000)]);
    assert.equal(getRemainingTime(one, clock), 6_000);
    store.updateBackoffRecord(one);
    const three = store.newBackoffRecord("ns/j", [], [failedAt(clock.now() - 2_000), failedAt(clock.now() - 1_000)]);
    assert.equal(three.failuresAfterLastSuccess, 3);
    assert.equal(getRemainingTime(three, clock), 39_000);
    const reset = store.newBackoffRecord("ns/j", [failedAt(clock.now())], []);
    assert.equal(getRemainingTime(reset, clock), 0);
    assert.equal(getRemainingTime({ key: "k", failuresAfterLastSuccess: 20, lastFailureTimeMs: clock.now() }, clock), 600_000);
  });
});
