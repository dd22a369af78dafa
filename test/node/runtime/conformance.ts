// The Runtime conformance suite: behaviour every runtime (process, cri, ...) must show to the
// agent, run against a fresh runtime per case. A runtime-specific test file calls
// runtimeConformance with a factory; cases a runtime cannot run are skipped with the reason.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  CreateContainerError, ImageNotFoundError, type ContainerConfig, type Runtime, type RuntimeEvent, type SandboxConfig,
} from "../../../src/node/runtime/runtime.js";
import { readLog, waitFor } from "./wait.js";

export interface ConformanceRuntime {
  runtime: Runtime;
  /** A scratch directory of this case (removed by cleanup). */
  tmpDir: string;
  /** A second runtime on the same state, as a restarted agent would create it. */
  reopen?: () => Runtime;
  /** The memory limit the kernel enforces for a container, when the runtime can tell. */
  memoryLimitOf?: (runtime: Runtime, containerId: string) => number | undefined;
  cleanup(): Promise<void>;
}

export interface ConformanceOptions {
  name: string;
  setUp(overrides?: { logMaxSizeBytes?: number; logMaxFiles?: number; rawLogTruncateBytes?: number }): Promise<ConformanceRuntime>;
  /** Why cases needing root (cgroups, namespaces, users) cannot run, if they cannot. */
  unprivilegedReason?: string;
  /** An image reference the runtime resolves to `sh -c 'echo image "$@"' image-arg` with IMAGE_ENV=from-image. */
  shellImage: string;
}

export function sandboxConfig(tmpDir: string, overrides: Partial<SandboxConfig> = {}): SandboxConfig {
  return {
    podUid: "uid-1", podName: "pod-1", podNamespace: "default", attempt: 0, hostname: "pod-host",
    hostNetwork: false, portMappings: [], logDirectory: path.join(tmpDir, "logs"), labels: { app: "test" }, ...overrides,
  };
}

export function containerConfig(command: string[], overrides: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    name: "main", attempt: 0, image: "busybox", command, args: [], env: [], mounts: [], tty: false, stdin: false,
    stdinOnce: false, resources: {}, logPath: "main/0.log", labels: {}, ...overrides,
  };
}

export function runtimeConformance(options: ConformanceOptions): void {
  const rootOnly = options.unprivilegedReason;
  const withRuntime = (fn: (r: ConformanceRuntime) => Promise<void>, overrides?: Parameters<ConformanceOptions["setUp"]>[0]) => async () => {
    const r = await options.setUp(overrides);
    try {
      await fn(r);
    } finally {
      await r.cleanup();
    }
  };
  const run = async (r: ConformanceRuntime, command: string[], overrides: Partial<ContainerConfig> = {}, sandbox: Partial<SandboxConfig> = {}) => {
    const logDirectory = fs.mkdtempSync(path.join(r.tmpDir, "logs-"));
    const sandboxId = await r.runtime.runPodSandbox(sandboxConfig(r.tmpDir, { logDirectory, ...sandbox }));
    const id = await r.runtime.createContainer(sandboxId, containerConfig(command, overrides));
    await r.runtime.startContainer(id);
    return { sandboxId, id };
  };
  const exited = async (runtime: Runtime, id: string) => {
    await waitFor(async () => (await runtime.containerStatus(id))?.state === "exited", 10_000, `container ${id} to exit`);
    return (await runtime.containerStatus(id))!;
  };

  describe(`${options.name} runtime conformance`, () => {
    it("writes both output streams to the container's CRI log", withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", "echo out; echo err >&2; printf partial"]);
      const status = await exited(r.runtime, id);
      const entries = readLog(status.logPath);
      assert.deepEqual(entries.filter((e) => e.stream === "stdout").map((e) => [e.tag, e.content]), [["F", "out"], ["P", "partial"]]);
      assert.deepEqual(entries.filter((e) => e.stream === "stderr").map((e) => [e.tag, e.content]), [["F", "err"]]);
      assert.ok(entries.every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(e.timestamp)));
    }));

    it("reports exit 0 as Completed and exit 3 as Error, with started and exited events", withRuntime(async (r) => {
      const events: RuntimeEvent[] = [];
      r.runtime.onEvent((e) => events.push(e));
      const ok = await run(r, ["sh", "-c", "exit 0"]);
      const bad = await run(r, ["sh", "-c", "exit 3"]);
      const okStatus = await exited(r.runtime, ok.id);
      const badStatus = await exited(r.runtime, bad.id);
      assert.equal(okStatus.exitCode, 0);
      assert.equal(okStatus.reason, "Completed");
      assert.equal(badStatus.exitCode, 3);
      assert.equal(badStatus.reason, "Error");
      assert.ok(badStatus.startedAt && badStatus.finishedAt && badStatus.finishedAt >= badStatus.startedAt);
      for (const id of [ok.id, bad.id]) {
        assert.ok(events.some((e) => e.type === "ContainerStarted" && e.containerId === id));
        assert.ok(events.some((e) => e.type === "ContainerExited" && e.containerId === id));
      }
    }));

    it("refuses to create a container whose executable does not exist", withRuntime(async (r) => {
      const sandboxId = await r.runtime.runPodSandbox(sandboxConfig(r.tmpDir));
      await assert.rejects(r.runtime.createContainer(sandboxId, containerConfig(["no-such-binary-kubelite", "x"])), (error: unknown) => {
        assert.ok(error instanceof CreateContainerError);
        assert.equal(error.reason, "ContainerCannotRun");
        assert.match(error.message, /no-such-binary-kubelite/);
        return true;
      });
      assert.deepEqual(await r.runtime.listContainers({ sandboxId }), []);
    }));

    it("reports an image it cannot provide for a container without command as ErrImageNeverPull", withRuntime(async (r) => {
      const sandboxId = await r.runtime.runPodSandbox(sandboxConfig(r.tmpDir));
      const check = (error: unknown) => {
        assert.ok(error instanceof ImageNotFoundError);
        assert.equal(error.reason, "ErrImageNeverPull");
        assert.match(error.message, /example\.com\/unknown:1/);
        return true;
      };
      await assert.rejects(r.runtime.imageStatus("example.com/unknown:1"), check);
      await assert.rejects(r.runtime.createContainer(sandboxId, containerConfig([], { image: "example.com/unknown:1" })), check);
    }));

    it("runs the image's command when the pod gives none, with pod args overriding the image's", withRuntime(async (r) => {
      const plain = await run(r, [], { image: options.shellImage, env: [{ name: "POD_ENV", value: "from-pod" }] });
      const withArgs = await run(r, [], { image: options.shellImage, args: ["pod-arg"], logPath: "main/1.log" });
      const lines = async (id: string) => readLog((await exited(r.runtime, id)).logPath).map((e) => e.content);
      assert.deepEqual(await lines(plain.id), ["image image-arg from-image from-pod"]);
      assert.deepEqual(await lines(withArgs.id), ["image pod-arg from-image "]);
    }));

    it("gives the container only its own environment, PATH, HOSTNAME and its working directory", withRuntime(async (r) => {
      process.env.KUBELITE_CONFORMANCE_LEAK = "leaked";
      const script = 'echo "$FOO|$HOSTNAME|$PWD|${KUBELITE_CONFORMANCE_LEAK:-none}|$PATH"; touch written';
      const work = fs.mkdtempSync(path.join(r.tmpDir, "work-"));
      const given = await run(r, ["sh", "-c", script], { env: [{ name: "FOO", value: "bar baz" }], workingDir: work });
      const defaulted = await run(r, ["sh", "-c", "pwd; touch written && echo writable"], { logPath: "main/1.log" });
      const first = readLog((await exited(r.runtime, given.id)).logPath).map((e) => e.content);
      assert.deepEqual(first, [`bar baz|pod-host|${work}|none|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`]);
      assert.ok(fs.existsSync(path.join(work, "written")));
      const second = readLog((await exited(r.runtime, defaulted.id)).logPath).map((e) => e.content);
      assert.equal(second[1], "writable");
    }));

    it("stops a container with SIGTERM, then SIGKILL after the grace period", withRuntime(async (r) => {
      const marker = path.join(r.tmpDir, "got-term");
      const { id } = await run(r, ["sh", "-c", `trap 'echo term > ${marker}' TERM; echo ready; while :; do sleep 0.05; done`]);
      const logPath = (await r.runtime.containerStatus(id))!.logPath;
      await waitFor(() => readLog(logPath).some((e) => e.content === "ready"), 10_000, "the trap to be installed");
      const started = Date.now();
      await r.runtime.stopContainer(id, 1);
      assert.ok(Date.now() - started >= 900, "SIGKILL came before the grace period ended");
      const status = (await r.runtime.containerStatus(id))!;
      assert.equal(status.state, "exited");
      assert.equal(status.exitCode, 137);
      assert.equal(fs.readFileSync(marker, "utf8").trim(), "term");
    }));

    it("lets a second runtime on the same state adopt a running container and see its exit", withRuntime(async (r) => {
      if (!r.reopen) return;
      const gate = path.join(r.tmpDir, "gate");
      const { sandboxId, id } = await run(r, ["sh", "-c", `echo before; while [ ! -f ${gate} ]; do sleep 0.05; done; echo after; exit 7`]);
      await r.runtime.close();
      const adopted = r.reopen();
      const events: RuntimeEvent[] = [];
      adopted.onEvent((e) => events.push(e));
      assert.deepEqual((await adopted.listPodSandboxes()).map((s) => [s.id, s.state]), [[sandboxId, "ready"]]);
      assert.equal((await adopted.listContainers({ sandboxId }))[0]?.state, "running");
      fs.writeFileSync(gate, "");
      const status = await exited(adopted, id);
      assert.equal(status.exitCode, 7);
      assert.ok(events.some((e) => e.type === "ContainerExited" && e.containerId === id));
      assert.deepEqual(readLog(status.logPath).map((e) => e.content), ["before", "after"]);
    }));

    it("runs exec without a terminal and reports its exit code", withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", "while :; do sleep 1; done"], { env: [{ name: "GREETING", value: "hello" }] });
      const session = await r.runtime.exec(id, { command: ["sh", "-c", 'read line; echo "$GREETING $line"; echo oops >&2; exit 5'], tty: false, stdin: true, stdout: true, stderr: true });
      const out = collectText(session.stdout);
      const err = collectText(session.stderr);
      session.stdin!.end("world\n");
      assert.equal(await session.exited, 5);
      assert.equal(await out, "hello world\n");
      assert.equal(await err, "oops\n");
    }));

    it("runs exec with a resizable terminal", withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", "while :; do sleep 1; done"]);
      const session = await r.runtime.exec(id, { command: ["sh"], tty: true, stdin: true, stdout: true, stderr: false });
      assert.equal(session.stderr, undefined);
      let output = "";
      session.stdout!.on("data", (d: Buffer) => (output += d.toString()));
      session.resize({ width: 100, height: 40 });
      session.stdin!.write("stty size; exit 4\n");
      assert.equal(await session.exited, 4);
      assert.match(output, /40 100/);
    }));

    it("refuses exec into a container that has exited", withRuntime(async (r) => {
      const { id } = await run(r, ["true"]);
      await exited(r.runtime, id);
      await assert.rejects(r.runtime.exec(id, { command: ["true"], tty: false, stdin: false, stdout: true, stderr: true }), /not running/);
    }));

    it("kills an execSync command at its timeout", withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", "while :; do sleep 1; done"]);
      const quick = await r.runtime.execSync(id, ["sh", "-c", "echo fine"], 5_000);
      assert.deepEqual([quick.exitCode, quick.stdout.toString(), quick.timedOut], [0, "fine\n", false]);
      const started = Date.now();
      const slow = await r.runtime.execSync(id, ["sh", "-c", "echo started; sleep 30"], 300);
      assert.equal(slow.timedOut, true);
      assert.equal(slow.stdout.toString(), "started\n");
      assert.ok(Date.now() - started < 5_000);
    }));

    it("caps execSync output", withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", "while :; do sleep 1; done"]);
      const result = await r.runtime.execSync(id, ["sh", "-c", "head -c 100000 /dev/zero"], 5_000);
      assert.equal(result.exitCode, 0);
      assert.ok(result.stdout.length <= 16 * 1024);
    }));

    it("attaches to a container's output and stdin", withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", 'while read line; do echo "got $line"; done'], { stdin: true });
      const session = await r.runtime.attach(id, { tty: false, stdin: true, stdout: true, stderr: true });
      let output = "";
      session.stdout!.on("data", (d: Buffer) => (output += d.toString()));
      session.stdin!.write("ping\n");
      await waitFor(() => output.includes("got ping"), 10_000, "the echo of stdin");
      session.kill();
      assert.equal(await session.exited, 0);
      assert.equal((await r.runtime.containerStatus(id))?.state, "running");
    }));

    it("rotates container logs and keeps disk use bounded", withRuntime(async (r) => {
      const line = "x".repeat(99);
      const { id } = await run(r, ["sh", "-c", `i=0; while [ $i -lt 20000 ]; do echo ${line}; i=$((i+1)); done; echo done; while :; do sleep 1; done`]);
      const logPath = (await r.runtime.containerStatus(id))!.logPath;
      await waitFor(() => readLog(logPath).some((e) => e.content === "done"), 30_000, "all output to be copied");
      const files = fs.readdirSync(path.dirname(logPath)).filter((f) => f.startsWith(path.basename(logPath)));
      assert.ok(files.length <= 3, `kept ${files.length} log files`);
      assert.ok(files.length >= 2, "the log was never rotated");
      for (const f of files) assert.ok(fs.statSync(path.join(path.dirname(logPath), f)).size <= 64 * 1024);
      await r.runtime.stopContainer(id, 0);
    }, { logMaxSizeBytes: 64 * 1024, logMaxFiles: 3, rawLogTruncateBytes: 64 * 1024 }));

    it("measures CPU and memory of a busy container", withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", "while :; do :; done"]);
      await waitFor(async () => ((await r.runtime.containerStats(id))?.cpuUsageNanoSeconds ?? 0) > 10_000_000, 10_000, "CPU use to show");
      const stats = (await r.runtime.containerStats(id))!;
      assert.ok(stats.memoryUsageBytes > 0);
      assert.ok(stats.memoryWorkingSetBytes > 0);
    }));

    it("stops every container of a stopped sandbox and removes them with it", withRuntime(async (r) => {
      const { sandboxId, id } = await run(r, ["sh", "-c", "trap '' TERM; while :; do sleep 1; done"]);
      await r.runtime.stopPodSandbox(sandboxId);
      assert.equal((await r.runtime.containerStatus(id))?.state, "exited");
      assert.equal((await r.runtime.podSandboxStatus(sandboxId))?.state, "notready");
      await r.runtime.stopPodSandbox(sandboxId);
      await r.runtime.removePodSandbox(sandboxId);
      assert.equal(await r.runtime.containerStatus(id), undefined);
      assert.deepEqual(await r.runtime.listPodSandboxes(), []);
    }));

    it("reports a container killed at its memory limit as OOMKilled", { skip: rootOnly }, withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", "dd if=/dev/zero of=/dev/null bs=128M count=1"], { resources: { memoryLimitBytes: 32 * 1024 * 1024 } });
      const status = await exited(r.runtime, id);
      assert.equal(status.exitCode, 137);
      assert.equal(status.reason, "OOMKilled");
    }));

    it("changes the memory limit of a running container in place", { skip: rootOnly }, withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", "while :; do sleep 1; done"], { resources: { memoryLimitBytes: 64 * 1024 * 1024 } });
      assert.equal(r.memoryLimitOf?.(r.runtime, id), 64 * 1024 * 1024);
      await r.runtime.updateContainerResources(id, { memoryLimitBytes: 128 * 1024 * 1024 });
      assert.equal(r.memoryLimitOf?.(r.runtime, id), 128 * 1024 * 1024);
      assert.equal((await r.runtime.containerStatus(id))?.state, "running");
      assert.equal((await r.runtime.containerStatus(id))?.resources.memoryLimitBytes, 128 * 1024 * 1024);
    }));

    it("runs the container and its execs as runAsUser and runAsGroup", { skip: rootOnly }, withRuntime(async (r) => {
      const { id } = await run(r, ["sh", "-c", 'echo "$(id -u) $(id -g) $(id -G)"; touch written; while :; do sleep 1; done'], { runAsUser: 65534, runAsGroup: 65533 });
      const logPath = (await r.runtime.containerStatus(id))!.logPath;
      await waitFor(() => readLog(logPath).length > 0, 10_000, "the container's output");
      assert.deepEqual(readLog(logPath).map((e) => e.content), ["65534 65533 65533"]);
      const result = await r.runtime.execSync(id, ["id", "-u"], 5_000);
      assert.equal(result.stdout.toString().trim(), "65534");
    }));

    it("gives the pod its hostname and bind-mounts volumes, read-only when asked", { skip: rootOnly }, withRuntime(async (r) => {
      const source = fs.mkdtempSync(path.join(r.tmpDir, "volume-"));
      fs.writeFileSync(path.join(source, "data"), "from-host\n");
      const target = path.join(r.tmpDir, "not-yet", "mounted");
      const script = `hostname; cat ${target}/data; touch ${target}/new 2>/dev/null && echo writable || echo read-only`;
      const { id } = await run(r, ["sh", "-c", script], { mounts: [{ hostPath: source, containerPath: target, readOnly: true }] });
      const status = await exited(r.runtime, id);
      assert.deepEqual(readLog(status.logPath).map((e) => e.content), ["pod-host", "from-host", "read-only"]);
      assert.ok(fs.existsSync(target), "the mount point was created");
      assert.deepEqual(fs.readdirSync(target), [], "the mount leaked into the host's namespace");
      await r.runtime.removeContainer(id);
      assert.ok(!fs.existsSync(path.join(r.tmpDir, "not-yet")), "the created mount point was left behind");
    }));
  });
}

function collectText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    if (!stream) return resolve(text);
    stream.on("data", (d: Buffer) => (text += d.toString()));
    stream.on("end", () => resolve(text));
  });
}
