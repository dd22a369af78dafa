// The scheduler on its own thread, against a real server with simulated nodes: it binds pods, and
// when its thread dies the server starts it again and scheduling goes on.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Worker } from "node:worker_threads";
import { SCHEDULER_USER } from "../../src/auth/authorization/bootstrap-policy.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1 } from "../../src/client/client.js";
import type { InProcessClient } from "../../src/client/in-process.js";
import { createLogger, type LogLevel } from "../../src/log.js";
import { SchedulerThread } from "../../src/scheduler/scheduler-thread.js";
import { ADMIN } from "../controllers/fixtures.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const PODS = CORE_V1("pods");

describe("the scheduler thread", () => {
  let server: TestServer;
  let thread: SchedulerThread;
  const logged: Array<{ level: LogLevel; msg: string }> = [];

  before(async () => {
    server = await startTestServer({ simulatedNodes: 2, serverOptions: { disableScheduler: true } });
    const log = createLogger("info", (line) => logged.push(JSON.parse(line) as { level: LogLevel; msg: string }));
    const client = server.client({ name: SCHEDULER_USER, groups: ["system:authenticated"] }, "default-scheduler") as InProcessClient;
    thread = new SchedulerThread({ client, log, logLevel: "error" });
    await thread.start();
  });

  after(async () => {
    await thread.stop();
    await server.close();
  });

  async function boundNode(name: string): Promise<string> {
    const admin = server.client(ADMIN, "test");
    await admin.create(PODS, "default", { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "nginx" }] } });
    for (let i = 0; i < 200; i++) {
      const pod: KubeObject = await admin.get(PODS, "default", name);
      const node = (pod.spec as { nodeName?: string }).nodeName;
      if (node) return node;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${name} was not scheduled in 10 s`);
  }

  it("binds pods to the simulated nodes", async () => {
    assert.match(await boundNode("before"), /^simulated-/);
  });

  it("is started again when its thread dies, and schedules as before", async () => {
    const worker = (thread as unknown as { worker: Worker | undefined }).worker;
    assert.ok(worker, "the thread runs");
    await worker.terminate();
    assert.ok(logged.some((entry) => entry.level === "error" && entry.msg === "the scheduler thread exited; starting it again"));
    assert.match(await boundNode("after"), /^simulated-/);
  });
});
