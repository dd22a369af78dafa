// The CronJob controller against a real server with three simulated nodes: a start missed while
// the controller was not looking is run at once, history limits prune finished Jobs, and Forbid
// starts nothing while a Job is active. The server runs on the real clock, so the tests never wait
// for a schedule: they create CronJobs suspended, write the status a past run would have left
// (lastScheduleTime a few minutes ago, the active list), then resume them. Plus table-driven checks
// of the schedule walk (time zones, daylight saving changes, @every, the day-of-month/day-of-week
// rule), the missed-start count and the requeue time, all on an injected clock.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client } from "../../src/client/client.js";
import { BATCH_CRONJOBS, CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION, requeueAfterFor, type CronJob } from "../../src/controllers/cronjob.js";
import { mostRecentScheduleTime, nextTime, scheduleOf, type Schedule } from "../../src/controllers/cronjob/schedule.js";
import { Zone, formatRFC3339 } from "../../src/controllers/cronjob/zone.js";
import { BATCH_JOBS, type Job } from "../../src/controllers/job/objects.js";
import { FakeClock } from "../client/fake-clock.js";
import type { TestServer } from "../support/test-server.js";
import { createNamespace, rfc3339, startAdminServer } from "./fixtures.js";
import { waitFor } from "./mark-ready.js";

const EVENTS = CORE_V1("events");
const MINUTE = 60_000;
/** Keeps pods Pending, so their Job stays active: no simulated node has this label. */
const NOWHERE = { "kubelite.test/nowhere": "true" };

function jobSpec(podSpec: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }], ...podSpec } }, ...spec };
}

function cronJobManifest(name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name },
    spec: { schedule: "* * * * *", suspend: true, jobTemplate: { metadata: { labels: { app: name } }, spec: jobSpec(podSpec) }, ...spec },
  };
}

function ownedBy(cj: KubeObject): (job: KubeObject) => boolean {
  return (job) => job.metadata?.ownerReferences?.some((r) => r.uid === cj.metadata?.uid && r.controller === true) ?? false;
}

describe("cronjob controller", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory", simulatedNodes: 3 }));
  });
  after(() => server.close());

  const namespace = (name: string): Promise<string> => createNamespace(client, name);

  async function jobsOf(ns: string, cj: KubeObject): Promise<Job[]> {
    return (await client.list(BATCH_JOBS, { namespace: ns })).items.filter(ownedBy(cj)) as Job[];
  }

  async function cronJobOf(ns: string, name: string): Promise<CronJob> {
    return (await client.get(BATCH_CRONJOBS, ns, name)) as CronJob;
  }

  async function eventsOf(ns: string, reason: string): Promise<KubeObject[]> {
    return (await client.list(EVENTS, { namespace: ns, fieldSelector: `reason=${reason}` })).items;
  }

  /** What a run some minutes ago would have left in status. */
  async function pretendLastRun(ns: string, name: string, minutesAgo: number, active: Job[] = []): Promise<void> {
    const lastScheduleTime = rfc3339(Math.floor(Date.now() / MINUTE) * MINUTE - minutesAgo * MINUTE);
    const refs = active.map((j) => ({ apiVersion: "batch/v1", kind: "Job", namespace: ns, name: j.metadata.name, uid: j.metadata.uid }));
    await client.patch(BATCH_CRONJOBS, ns, name, "merge", { status: { lastScheduleTime, ...(refs.length ? { active: refs } : {}) } }, { subresource: "status" });
  }

  async function resume(ns: string, name: string): Promise<void> {
    await client.patch(BATCH_CRONJOBS, ns, name, "merge", { spec: { suspend: false } });
  }

  /** A Job the CronJob controls, as if it had created it. */
  async function childJob(ns: string, cj: KubeObject, name: string, podSpec: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): Promise<Job> {
    const owner = { apiVersion: "batch/v1", kind: "CronJob", name: cj.metadata?.name ?? "", uid: cj.metadata?.uid ?? "", controller: true, blockOwnerDeletion: true };
    return (await client.create(BATCH_JOBS, ns, { apiVersion: "batch/v1", kind: "Job", metadata: { name, ownerReferences: [owner] }, spec: jobSpec(podSpec, spec) })) as Job;
  }

  async function finished(ns: string, name: string, type: "Complete" | "Failed"): Promise<void> {
    await waitFor(async () => {
      const job = (await client.get(BATCH_JOBS, ns, name)) as Job;
      return job.status?.conditions?.some((c) => c.type === type && c.status === "True");
    }, `job ${name} to be ${type}`);
  }

  it("starts a job at once for a start missed within startingDeadlineSeconds", async () => {
    const ns = await namespace("cj-missed");
    const cj = await client.create(BATCH_CRONJOBS, ns, cronJobManifest("tick", { startingDeadlineSeconds: 3600 }));
    await pretendLastRun(ns, "tick", 3);
    const before = Math.floor(Date.now() / MINUTE);
    await resume(ns, "tick");
    const [job, ...others] = await waitFor(async () => {
      const jobs = await jobsOf(ns, cj);
      return jobs.length > 0 && jobs;
    }, "the job for the missed start");
    const after = Math.floor(Date.now() / MINUTE);
    assert.equal(others.length, 0);
    const minutes = Number((job?.metadata.name ?? "").replace(/^tick-/, ""));
    assert.ok(minutes === before || minutes === after, `the job is named for the latest start: ${job?.metadata.name}`);
    assert.equal(job?.metadata.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION], rfc3339(minutes * MINUTE));
    assert.equal(job?.metadata.labels?.app, "tick");
    const status = await waitFor(async () => {
      const got = await cronJobOf(ns, "tick");
      return got.status?.lastSuccessfulTime !== undefined && got.status.active === undefined && got.status;
    }, "the completed job to leave the active list");
    assert.equal(status.lastScheduleTime, rfc3339(minutes * MINUTE));
    const created = await eventsOf(ns, "SuccessfulCreate");
    assert.ok(created.some((e) => e.message === `Created job ${job?.metadata.name}` && (e.source as { component?: string }).component === "cronjob-controller"));
    await waitFor(async () => (await eventsOf(ns, "SawCompletedJob")).some((e) => e.message === `Saw completed job: ${job?.metadata.name}, status: Complete`), "SawCompletedJob");
  });

  it("prunes finished jobs beyond the history limits, oldest first", async () => {
    const ns = await namespace("cj-history");
    const cj = await client.create(BATCH_CRONJOBS, ns, cronJobManifest("history", { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }));
    for (const name of ["history-a", "history-b", "history-c"]) {
      await childJob(ns, cj, name);
      await finished(ns, name, "Complete");
    }
    for (const name of ["history-x", "history-y"]) {
      await childJob(ns, cj, name, { nodeSelector: NOWHERE }, { activeDeadlineSeconds: 1 });
      await finished(ns, name, "Failed");
    }
    await client.patch(BATCH_CRONJOBS, ns, "history", "merge", { metadata: { labels: { nudge: "1" } } });
    const left = await waitFor(async () => {
      const names = (await jobsOf(ns, cj)).filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name).sort();
      return names.length === 2 && names;
    }, "the history to be pruned");
    assert.deepEqual(left, ["history-c", "history-y"]);
    const aboutCronJob = (e: KubeObject) => (e.involvedObject as { kind?: string }).kind === "CronJob";
    // Events are recorded after the deletions they report. Every sync also reports the jobs made by
    // hand here (UnexpectedJob, counted up), and a recorder allows 25 events per object, as
    // client-go's spam filter: a deletion's event may be the one past that burst.
    const expected = ["Deleted job history-a", "Deleted job history-b", "Deleted job history-x"];
    const recorded = async () => {
      const events = (await client.list(EVENTS, { namespace: ns })).items.filter(aboutCronJob);
      return { deleted: events.filter((e) => e.reason === "SuccessfulDelete").map((e) => String(e.message)).sort(), total: events.reduce((n, e) => n + Number(e.count ?? 1), 0) };
    };
    const { deleted, total } = await waitFor(async () => {
      const now = await recorded();
      return (now.deleted.length === expected.length || now.total >= 25) && now;
    }, "the deletions' events");
    if (deleted.length === expected.length) assert.deepEqual(deleted, expected);
    else assert.deepEqual(deleted, expected.slice(0, deleted.length), `events past the burst of 25 (${total} recorded) are dropped, never reordered`);
  });

  it("starts no second job while one is active under concurrencyPolicy Forbid", async () => {
    const ns = await namespace("cj-forbid");
    const cj = await client.create(BATCH_CRONJOBS, ns, cronJobManifest("exclusive", { concurrencyPolicy: "Forbid" }, { nodeSelector: NOWHERE }));
    const running = await childJob(ns, cj, "exclusive-running", { nodeSelector: NOWHERE });
    await pretendLastRun(ns, "exclusive", 3, [running]);
    await resume(ns, "exclusive");
    const event = await waitFor(async () => (await eventsOf(ns, "JobAlreadyActive"))[0], "the JobAlreadyActive event");
    assert.equal(event.message, "Not starting job because prior execution is running and concurrency policy is Forbid");
    assert.deepEqual((await jobsOf(ns, cj)).map((j) => j.metadata.name), ["exclusive-running"]);
    const status = (await cronJobOf(ns, "exclusive")).status;
    assert.deepEqual(status?.active?.map((r) => r.name), ["exclusive-running"]);
  });
});

describe("cronjob schedules", () => {
  const at = (iso: string) => Date.parse(iso);
  const schedule = (spec: string, timeZone?: string): Schedule => {
    const cj = { metadata: {}, spec: { schedule: spec, timeZone, jobTemplate: {} } } as CronJob;
    const parsed = scheduleOf(cj);
    if (typeof parsed === "string") throw new Error(parsed);
    return parsed;
  };
  const next = (spec: string, from: string, timeZone?: string) => {
    const t = nextTime(schedule(spec, timeZone), at(from));
    return t === undefined ? undefined : new Date(t).toISOString();
  };

  it("finds the next start in the schedule's time zone, across daylight saving changes", () => {
    const cases: [string, string | undefined, string, string | undefined][] = [
      ["* * * * *", undefined, "2025-01-01T10:00:00.000Z", "2025-01-01T10:01:00.000Z"],
      ["* * * * *", undefined, "2025-01-01T10:00:30.500Z", "2025-01-01T10:01:00.000Z"],
      ["0 9 * * *", "America/New_York", "2025-03-08T15:00:00Z", "2025-03-09T13:00:00.000Z"],
      ["0 9 * * *", "America/New_York", "2025-03-07T15:00:00Z", "2025-03-08T14:00:00.000Z"],
      // 02:30 does not exist on the day clocks spring forward: robfig skips to the next day.
      ["30 2 * * *", "America/New_York", "2025-03-09T05:00:00Z", "2025-03-10T06:30:00.000Z"],
      // 01:30 happens twice the day clocks fall back: robfig runs at both.
      ["30 1 * * *", "America/New_York", "2025-11-02T04:00:00Z", "2025-11-02T05:30:00.000Z"],
      ["30 1 * * *", "America/New_York", "2025-11-02T05:30:00Z", "2025-11-02T06:30:00.000Z"],
      ["0 0 * * *", "Asia/Kolkata", "2025-01-01T00:00:00Z", "2025-01-01T18:30:00.000Z"],
      ["TZ=Europe/Berlin 0 12 * * *", undefined, "2025-07-01T00:00:00Z", "2025-07-01T10:00:00.000Z"],
      ["@hourly", undefined, "2025-01-01T10:59:59Z", "2025-01-01T11:00:00.000Z"],
      ["@every 90s", undefined, "2025-01-01T10:00:00.700Z", "2025-01-01T10:01:30.000Z"],
      // Day of month or day of week when both are restricted: the 13th, or any Friday.
      ["0 0 13 * 5", undefined, "2025-06-01T00:00:00Z", "2025-06-06T00:00:00.000Z"],
      ["0 0 13 * 5", undefined, "2025-06-08T00:00:00Z", "2025-06-13T00:00:00.000Z"],
      ["0 0 29 2 *", undefined, "2025-03-01T00:00:00Z", "2028-02-29T00:00:00.000Z"],
      ["0 0 31 2 *", undefined, "2025-03-01T00:00:00Z", undefined],
    ];
    for (const [spec, zone, from, want] of cases) assert.equal(next(spec, from, zone), want, `${spec} (${zone ?? "UTC"}) after ${from}`);
  });

  it("writes the scheduled timestamp in the CronJob's time zone", () => {
    assert.equal(formatRFC3339(at("2025-03-10T06:30:00Z"), new Zone("America/New_York")), "2025-03-10T02:30:00-04:00");
    assert.equal(formatRFC3339(at("2025-01-01T18:30:00Z"), new Zone("Asia/Kolkata")), "2025-01-02T00:00:00+05:30");
    assert.equal(formatRFC3339(at("2025-01-01T18:30:00Z"), new Zone("UTC")), "2025-01-01T18:30:00Z");
  });

  it("counts missed starts and gives up listing them past 100", () => {
    const now = at("2025-01-01T12:00:30Z");
    const cj = (lastScheduleTime: string, startingDeadlineSeconds?: number) =>
      ({ metadata: { creationTimestamp: "2024-12-01T00:00:00Z" }, spec: { schedule: "* * * * *", startingDeadlineSeconds, jobTemplate: {} }, status: { lastScheduleTime } }) as CronJob;
    const every = schedule("* * * * *");
    const none = mostRecentScheduleTime(cj("2025-01-01T12:00:00Z"), now, every, true);
    assert.deepEqual([none.mostRecentMs, none.missed], [undefined, "none"]);
    const one = mostRecentScheduleTime(cj("2025-01-01T11:59:00Z"), now, every, true);
    assert.deepEqual([one.mostRecentMs, one.missed], [at("2025-01-01T12:00:00Z"), "none"]);
    const few = mostRecentScheduleTime(cj("2025-01-01T11:00:00Z"), now, every, true);
    assert.deepEqual([few.mostRecentMs, few.missed], [at("2025-01-01T12:00:00Z"), "few"]);
    const many = mostRecentScheduleTime(cj("2025-01-01T09:00:00Z"), now, every, true);
    assert.deepEqual([many.mostRecentMs, many.missed], [at("2025-01-01T12:00:00Z"), "many"]);
    // startingDeadlineSeconds bounds how far back the controller looks.
    const bounded = mostRecentScheduleTime(cj("2025-01-01T09:00:00Z", 300), now, every, true);
    assert.deepEqual([bounded.mostRecentMs, bounded.missed], [at("2025-01-01T12:00:00Z"), "few"]);
    const impossible = mostRecentScheduleTime(cj("2025-01-01T09:00:00Z"), now, schedule("0 0 31 2 *"), true);
    assert.equal(impossible.error, "time difference between two schedules is less than 1 second");
  });

  it("requeues a CronJob for its next start by the injected clock, plus 100 ms", () => {
    const clock = new FakeClock(at("2025-01-01T12:00:20Z"));
    const cj = { metadata: { creationTimestamp: "2025-01-01T11:30:00Z" }, spec: { schedule: "* * * * *", jobTemplate: {} }, status: { lastScheduleTime: "2025-01-01T12:00:00Z" } } as CronJob;
    assert.equal(requeueAfterFor(cj, clock), 40_100);
    const daily = { ...cj, spec: { ...cj.spec, schedule: "0 9 * * *", timeZone: "Europe/Paris" }, status: {} } as CronJob;
    assert.equal(requeueAfterFor(daily, clock), at("2025-01-02T08:00:00Z") - clock.now() + 100);
  });
});
