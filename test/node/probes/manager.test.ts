// ProbeManager on a fake clock with scripted probe outcomes: thresholds, initial delay, startup
// gating, restarts on liveness failure, events, and workers that stop when told.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProbeManager, type ContainerRegistration } from "../../../src/node/probes/manager.js";
import type { ProbeEvent, ProbeKind } from "../../../src/node/probes/events.js";
import type { Probe, ProbedContainer, ProbeOutcome } from "../../../src/node/probes/probe-spec.js";
import type { ProbeRunner } from "../../../src/node/probes/run-probe.js";
import { FakeClock } from "../../client/fake-clock.js";

const SECOND = 1000;

/** A fake prober: each probe kind answers what the test last set; every call is logged with its time. */
class Script {
  readonly answers = new Map<ProbeKind, ProbeOutcome | "hang">();
  readonly calls: { kind: ProbeKind; at: number }[] = [];

  constructor(private readonly clock: FakeClock, private readonly container: ProbedContainer) {}

  set(kind: ProbeKind, answer: ProbeOutcome | "hang"): void {
    this.answers.set(kind, answer);
  }

  count(kind: ProbeKind): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  readonly runner: ProbeRunner = (probe) => {
    const kind = this.kindOf(probe);
    this.calls.push({ kind, at: this.clock.now() });
    const answer = this.answers.get(kind) ?? { result: "success", output: "" };
    return answer === "hang" ? new Promise<never>(() => undefined) : Promise.resolve(answer);
  };

  private kindOf(probe: Probe): ProbeKind {
    if (probe === this.container.livenessProbe) return "liveness";
    if (probe === this.container.readinessProbe) return "readiness";
    return "startup";
  }
}

const OK: ProbeOutcome = { result: "success", output: "ok" };
const FAIL: ProbeOutcome = { result: "failure", output: "HTTP probe failed with statuscode: 500" };

function setup(container: ProbedContainer) {
  const clock = new FakeClock();
  const script = new Script(clock, container);
  const events: ProbeEvent[] = [];
  const unhealthy: string[] = [];
  const readiness: boolean[] = [];
  const manager = new ProbeManager({
    clock,
    runProbe: script.runner,
    onEvent: (e) => events.push(e),
    onContainerUnhealthy: (_uid, name, kind) => unhealthy.push(`${name}:${kind}`),
    onReadinessChange: (_uid, _name, ready) => readiness.push(ready),
  });
  const registration = (containerId = "c1"): ContainerRegistration => ({
    podUid: "uid-1",
    podName: "web",
    namespace: "default",
    podIP: "10.42.0.5",
    container,
    containerId,
    startedAt: clock.now(),
    dial: () => Promise.reject(new Error("no network in this test")),
    exec: () => Promise.reject(new Error("no exec in this test")),
  });
  return { clock, script, events, unhealthy, readiness, manager, registration };
}

const probe = (extra: Partial<Probe> = {}): Probe => ({ httpGet: { path: "/healthz", port: 8080 }, ...extra });

describe("ProbeManager", () => {
  it("a container without probes is started and ready at once", () => {
    const { manager, registration, readiness } = setup({ name: "app" });
    manager.addContainer(registration());
    assert.equal(manager.isStarted("uid-1", "app"), true);
    assert.equal(manager.isReady("uid-1", "app"), true);
    assert.deepEqual(readiness, [true]);
    manager.stop();
  });

  it("readiness is false until the readiness probe first succeeds", async () => {
    const container = { name: "app", readinessProbe: probe() };
    const { manager, registration, script, clock } = setup(container);
    script.set("readiness", FAIL);
    manager.addContainer(registration());
    await clock.advance(0);
    assert.equal(manager.isReady("uid-1", "app"), false);
    script.set("readiness", OK);
    await clock.advance(10 * SECOND);
    assert.equal(manager.isReady("uid-1", "app"), true);
    manager.stop();
  });

  it("a readiness probe refused while the container opens its port is retried soon, without events, within its first period", async () => {
    const container = { name: "app", readinessProbe: probe({ periodSeconds: 10 }) };
    const { manager, registration, script, clock, events } = setup(container);
    script.set("readiness", { result: "failure", output: 'Get "http://10.42.0.5:8080/healthz": dial tcp 10.42.0.5:8080: connect: connection refused' });
    manager.addContainer(registration());
    await clock.advance(0);
    await clock.advance(25);
    await clock.advance(25);
    assert.equal(script.count("readiness"), 3, "probed at 0, 25 and 50 ms");
    script.set("readiness", OK);
    await clock.advance(25);
    assert.equal(manager.isReady("uid-1", "app"), true, "ready 75 ms after start instead of after a 10 s period");
    assert.deepEqual(events, [], "no Unhealthy events while warming up");
    manager.stop();
  });

  it("warm-up ends after the first period: refusals then count as failures", async () => {
    const container = { name: "app", readinessProbe: probe({ periodSeconds: 1 }) };
    const { manager, registration, script, clock, events } = setup(container);
    script.set("readiness", { result: "failure", output: "dial tcp 10.42.0.5:8080: connect: connection refused" });
    manager.addContainer(registration());
    await clock.advance(3 * SECOND);
    assert.ok(events.some((e) => e.reason === "Unhealthy"), "refusals after the first period are reported");
    assert.ok(script.count("readiness") < 30, `bounded quick retries (${script.count("readiness")} probes)`);
    manager.stop();
  });

  it("readiness changes only after failureThreshold failures in a row and successThreshold successes", async () => {
    const container = { name: "app", readinessProbe: probe({ periodSeconds: 1, failureThreshold: 3, successThreshold: 2 }) };
    const { manager, registration, script, clock, readiness } = setup(container);
    manager.addContainer(registration());
    await clock.advance(0);
    assert.equal(manager.isReady("uid-1", "app"), false, "one success is below successThreshold 2");
    await clock.advance(SECOND);
    assert.equal(manager.isReady("uid-1", "app"), true);
    script.set("readiness", FAIL);
    await clock.advance(2 * SECOND);
    assert.equal(manager.isReady("uid-1", "app"), true, "two failures are below failureThreshold 3");
    await clock.advance(SECOND);
    assert.equal(manager.isReady("uid-1", "app"), false);
    assert.deepEqual(readiness, [true, false]);
    manager.stop();
  });

  it("does not probe before initialDelaySeconds, counting from the container's start", async () => {
    const container = { name: "app", livenessProbe: probe({ initialDelaySeconds: 15, periodSeconds: 10 }) };
    const { manager, registration, script, clock } = setup(container);
    manager.addContainer(registration());
    await clock.advance(19 * SECOND);
    assert.equal(script.count("liveness"), 0);
    await clock.advance(SECOND);
    assert.deepEqual(script.calls.map((c) => c.at - clock.now()), [0], "first probe on the first tick past the delay (t=20s)");
    manager.stop();
  });

  it("the startup probe holds back liveness and readiness until it succeeds", async () => {
    const container = { name: "app", startupProbe: probe({ periodSeconds: 1, failureThreshold: 30 }), livenessProbe: probe({ periodSeconds: 10 }), readinessProbe: probe({ periodSeconds: 10 }) };
    const { manager, registration, script, clock } = setup(container);
    script.set("startup", FAIL);
    manager.addContainer(registration());
    await clock.advance(5 * SECOND);
    assert.equal(manager.isStarted("uid-1", "app"), false);
    assert.equal(script.count("liveness") + script.count("readiness"), 0);
    script.set("startup", OK);
    await clock.advance(SECOND);
    assert.equal(manager.isStarted("uid-1", "app"), true);
    assert.equal(script.count("readiness"), 1, "readiness runs as soon as the container has started");
    assert.equal(manager.isReady("uid-1", "app"), true);
    const startupCalls = script.count("startup");
    await clock.advance(20 * SECOND);
    assert.equal(script.count("startup"), startupCalls, "the startup probe stops once it has succeeded");
    assert.ok(script.count("liveness") >= 1);
    manager.stop();
  });

  it("a container with a startup probe and no readiness probe is ready once started", async () => {
    const container = { name: "app", startupProbe: probe() };
    const { manager, registration, clock } = setup(container);
    manager.addContainer(registration());
    assert.equal(manager.isReady("uid-1", "app"), false);
    await clock.advance(0);
    assert.equal(manager.isReady("uid-1", "app"), true);
    manager.stop();
  });

  it("liveness failures past the threshold record events and ask for a restart once", async () => {
    const container = { name: "app", livenessProbe: probe({ periodSeconds: 10, failureThreshold: 3 }) };
    const { manager, registration, script, clock, events, unhealthy } = setup(container);
    script.set("liveness", FAIL);
    manager.addContainer(registration());
    await clock.advance(60 * SECOND);
    assert.deepEqual(unhealthy, ["app:liveness"]);
    assert.equal(script.count("liveness"), 3, "the worker holds after the verdict");
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.reason} ${e.message}`),
      [
        ...Array(3).fill("Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500"),
        "Normal Killing Container app failed liveness probe, will be restarted",
      ],
    );
    assert.equal(events[0]?.podName, "web");

    // The agent restarts the container: a new ID starts the probes over.
    script.set("liveness", OK);
    manager.addContainer(registration("c2"));
    await clock.advance(0);
    assert.equal(script.count("liveness"), 4);
    manager.stop();
  });

  it("startup failures past the threshold ask for a restart", async () => {
    const container = { name: "app", startupProbe: probe({ periodSeconds: 1, failureThreshold: 2 }) };
    const { manager, registration, script, clock, events, unhealthy } = setup(container);
    script.set("startup", FAIL);
    manager.addContainer({ ...registration(), restartPolicy: "Never" });
    await clock.advance(5 * SECOND);
    assert.deepEqual(unhealthy, ["app:startup"]);
    assert.equal(events.at(-1)?.message, "Container app failed startup probe");
    manager.stop();
  });

  it("a redirect warning counts as success and records a ProbeWarning event", async () => {
    const container = { name: "app", readinessProbe: probe() };
    const { manager, registration, script, clock, events } = setup(container);
    script.set("readiness", { result: "warning", output: "Probe terminated redirects, Response body: " });
    manager.addContainer(registration());
    await clock.advance(0);
    assert.equal(manager.isReady("uid-1", "app"), true);
    assert.equal(events[0]?.reason, "ProbeWarning");
    assert.equal(events[0]?.message, "Readiness probe warning: Probe terminated redirects, Response body: ");
    manager.stop();
  });

  it("an errored probe is retried three times and its result thrown away", async () => {
    const container = { name: "app", livenessProbe: probe({ failureThreshold: 1 }) };
    const { manager, registration, script, clock, events, unhealthy } = setup(container);
    script.set("liveness", { result: "unknown", output: 'strconv.Atoi: parsing "web": invalid syntax' });
    manager.addContainer(registration());
    await clock.advance(0);
    assert.equal(script.count("liveness"), 3);
    assert.deepEqual(unhealthy, []);
    assert.equal(events[0]?.message, 'Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "web": invalid syntax');
    manager.stop();
  });

  it("a probe that hangs is cut off and does not delay the container's other probes", async () => {
    const container = { name: "app", livenessProbe: probe({ periodSeconds: 10, failureThreshold: 1 }), readinessProbe: probe({ periodSeconds: 1 }) };
    const { manager, registration, script, clock, unhealthy } = setup(container);
    script.set("liveness", "hang");
    manager.addContainer(registration());
    await clock.advance(3 * SECOND);
    assert.equal(script.count("readiness"), 4, "readiness kept its 1 s period");
    assert.deepEqual(unhealthy, ["app:liveness"], "the hung liveness probe failed after timeout + grace");
    manager.stop();
  });

  it("stops probing a removed container and a removed pod", async () => {
    const container = { name: "app", livenessProbe: probe({ periodSeconds: 1 }) };
    const { manager, registration, script, clock } = setup(container);
    manager.addContainer(registration());
    await clock.advance(2 * SECOND);
    manager.removeContainer("uid-1", "app");
    const calls = script.count("liveness");
    await clock.advance(5 * SECOND);
    assert.equal(script.count("liveness"), calls);
    assert.equal(clock.pending(), 0);
    assert.equal(manager.isReady("uid-1", "app"), false);

    manager.addContainer(registration("c2"));
    manager.removePod("uid-1");
    assert.equal(clock.pending(), 0);
  });

  it("a terminating pod keeps its readiness probe but stops liveness", async () => {
    const container = { name: "app", livenessProbe: probe({ periodSeconds: 1 }), readinessProbe: probe({ periodSeconds: 1 }) };
    const { manager, registration, script, clock } = setup(container);
    manager.addContainer(registration());
    await clock.advance(0);
    manager.podTerminating("uid-1");
    const liveness = script.count("liveness");
    const readiness = script.count("readiness");
    await clock.advance(3 * SECOND);
    assert.equal(script.count("liveness"), liveness);
    assert.equal(script.count("readiness"), readiness + 3);
    manager.stop();
  });

  it("publishes every verdict change to subscribers", async () => {
    const container = { name: "app", readinessProbe: probe({ periodSeconds: 1, failureThreshold: 1 }) };
    const { manager, registration, script, clock } = setup(container);
    const changes: string[] = [];
    const unsubscribe = manager.subscribe((c) => changes.push(`${c.kind}=${c.result}`));
    manager.addContainer(registration());
    await clock.advance(0);
    script.set("readiness", FAIL);
    await clock.advance(SECOND);
    unsubscribe();
    script.set("readiness", OK);
    await clock.advance(SECOND);
    assert.deepEqual(changes, ["readiness=success", "readiness=failure"]);
    manager.stop();
  });
});
