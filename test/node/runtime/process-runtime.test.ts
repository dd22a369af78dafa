// The process runtime against the Runtime conformance suite (host networking, a tiny image
// resolver), plus what only the process runtime promises: containers outlive a killed agent.
// Every case gets its own state directory and cgroup root, and removes both.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { createLogger } from "../../../src/log.js";
import type { ImageResolver } from "../../../src/node/images/image-resolver.js";
import { HelperLauncher } from "../../../src/node/launcher/helper-launcher.js";
import { HostNetwork } from "../../../src/node/network/host-network.js";
import { Cgroups } from "../../../src/node/runtime/process/cgroups.js";
import { ProcessRuntime, type ProcessRuntimeOptions } from "../../../src/node/runtime/process/process-runtime.js";
import type { ImageInfo, Runtime } from "../../../src/node/runtime/runtime.js";
import { containerConfig, runtimeConformance, sandboxConfig, type ConformanceRuntime } from "./conformance.js";
import { NetnsNetwork } from "./netns-network.js";
import { readLog, waitFor } from "./wait.js";

const isRoot = process.getuid?.() === 0;
const cgroups = new Cgroups();
const privileged = isRoot && cgroups.available();

export const testImages: ImageResolver = {
  resolve(reference: string): ImageInfo | undefined {
    if (reference !== "kubelite/shell") return undefined;
    return {
      reference,
      command: ["sh", "-c", 'echo image "$@" "$IMAGE_ENV" "$POD_ENV"', "image"],
      args: ["image-arg"],
      env: [{ name: "IMAGE_ENV", value: "from-image" }],
    };
  },
};

export function processRuntimeFixture(overrides: Partial<ProcessRuntimeOptions> = {}): ConformanceRuntime & { options: ProcessRuntimeOptions } {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelite-runtime-"));
  const cgroupRoot = `kubelite-test-${randomBytes(4).toString("hex")}`;
  const options: ProcessRuntimeOptions = {
    stateDir: path.join(tmpDir, "state"),
    network: new HostNetwork(),
    images: testImages,
    log: createLogger("error"),
    cgroupRoot,
    pollIntervalMs: 50,
    ...overrides,
  };
  const opened: Runtime[] = [new ProcessRuntime(options)];
  return {
    options,
    runtime: opened[0]!,
    tmpDir,
    reopen: () => {
      const runtime = new ProcessRuntime(options);
      opened.push(runtime);
      return runtime;
    },
    memoryLimitOf: (_runtime, containerId) => {
      const dir = findCgroupDir(cgroups.under(cgroupRoot).memory, containerId);
      return dir ? Number(fs.readFileSync(path.join(dir, "memory.limit_in_bytes"), "utf8")) : undefined;
    },
    cleanup: async () => {
      // The newest instance knows everything; removing its sandboxes kills their processes.
      const runtime = new ProcessRuntime(options);
      for (const sandbox of await runtime.listPodSandboxes()) await runtime.removePodSandbox(sandbox.id);
      await runtime.close();
      for (const r of opened) await r.close();
      if (privileged) for (const dir of Object.values(cgroups.under(cgroupRoot))) if (fs.existsSync(dir)) fs.rmdirSync(dir);
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

function findCgroupDir(root: string, name: string): string | undefined {
  if (!fs.existsSync(root)) return undefined;
  for (const pod of fs.readdirSync(root)) {
    const dir = path.join(root, pod, name);
    if (fs.existsSync(dir)) return dir;
  }
  return undefined;
}

runtimeConformance({
  name: "process",
  setUp: async (overrides) => processRuntimeFixture(overrides),
  unprivilegedReason: privileged ? undefined : "needs root and writable cgroup v1 hierarchies",
  shellImage: "kubelite/shell",
});

// As the agents run it: shims, namespace tools and execs started by a launcher helper process.
runtimeConformance({
  name: "process (through a launcher helper)",
  setUp: async (overrides) => {
    const launcher = new HelperLauncher();
    const fixture = processRuntimeFixture({ ...overrides, launcher });
    return { ...fixture, cleanup: () => fixture.cleanup().finally(() => launcher.close()) };
  },
  unprivilegedReason: privileged ? undefined : "needs root and writable cgroup v1 hierarchies",
  shellImage: "kubelite/shell",
});

describe("process runtime", () => {
  it("keeps containers running when the agent process is killed, and a new agent adopts them", async () => {
    const fixture = processRuntimeFixture();
    try {
      await fixture.runtime.close();
      const gate = path.join(fixture.tmpDir, "gate");
      const agent = fileURLToPath(new URL("./agent-process.js", import.meta.url));
      const child = spawn(process.execPath, [agent, JSON.stringify({ ...fixture.options, network: undefined, images: undefined, log: undefined, gate })], { stdio: ["ignore", "pipe", "inherit"] });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, s) => resolve(s)));
      assert.equal(signal, "SIGKILL");
      const { containerId } = JSON.parse(output) as { containerId: string };
      const adopted = fixture.reopen!();
      assert.equal((await adopted.containerStatus(containerId))?.state, "running");
      fs.writeFileSync(gate, "");
      await waitFor(async () => (await adopted.containerStatus(containerId))?.state === "exited", 10_000, "the adopted container to exit");
      assert.equal((await adopted.containerStatus(containerId))?.exitCode, 9);
    } finally {
      await fixture.cleanup();
    }
  });

  it("puts containers and their execs in the sandbox's network namespace and releases it", { skip: privileged ? undefined : "needs root" }, async () => {
    const network = new NetnsNetwork();
    const fixture = processRuntimeFixture({ network });
    try {
      const sandboxId = await fixture.runtime.runPodSandbox(sandboxConfig(fixture.tmpDir));
      const namespace = [...network.namespaces.values()][0]!;
      const inode = fs.statSync(`/var/run/netns/${namespace}`).ino;
      const id = await fixture.runtime.createContainer(sandboxId, containerConfig(["sh", "-c", "readlink /proc/self/ns/net; while :; do sleep 1; done"]));
      await fixture.runtime.startContainer(id);
      const logPath = (await fixture.runtime.containerStatus(id))!.logPath;
      await waitFor(() => readLog(logPath).length > 0, 10_000, "the container's output");
      assert.equal(readLog(logPath)[0]?.content, `net:[${inode}]`);
      const exec = await fixture.runtime.execSync(id, ["readlink", "/proc/self/ns/net"], 5_000);
      assert.equal(exec.stdout.toString().trim(), `net:[${inode}]`);
      (await fixture.runtime.portForward(sandboxId, 8080)).destroy();
      assert.deepEqual(network.dials, [{ ip: "127.0.0.1", port: 8080 }]);
      await fixture.runtime.removePodSandbox(sandboxId);
      assert.equal(network.namespaces.size, 0);
    } finally {
      await fixture.cleanup();
      await network.close();
    }
  });

  it("drops the backlog of a container that writes faster than its log is copied, and says so", async () => {
    const fixture = processRuntimeFixture({ logMaxSizeBytes: 256 * 1024, logMaxFiles: 2, rawLogTruncateBytes: 16 * 1024, pollIntervalMs: 200 });
    try {
      const sandboxId = await fixture.runtime.runPodSandbox(sandboxConfig(fixture.tmpDir));
      const id = await fixture.runtime.createContainer(sandboxId, containerConfig(["yes", "y".repeat(200)]));
      await fixture.runtime.startContainer(id);
      const logPath = (await fixture.runtime.containerStatus(id))!.logPath;
      const logFiles = () => fs.readdirSync(path.dirname(logPath)).map((f) => path.join(path.dirname(logPath), f));
      const dropped = () => logFiles().some((f) => readLog(f).some((e) => /^kubelite: \d+ bytes of stdout dropped/.test(e.content)));
      await waitFor(dropped, 20_000, "the dropped-output notice");
      await fixture.runtime.stopContainer(id, 0);
      assert.ok(logFiles().length <= 2);
      for (const f of logFiles()) assert.ok(fs.statSync(f).size <= 256 * 1024);
    } finally {
      await fixture.cleanup();
    }
  });

  it("refuses volume mounts without root, naming the mount", async () => {
    const fixture = processRuntimeFixture({ unprivileged: true });
    try {
      const sandboxId = await fixture.runtime.runPodSandbox({
        podUid: "u", podName: "p", podNamespace: "default", attempt: 0, hostname: "h", hostNetwork: false, portMappings: [],
        logDirectory: path.join(fixture.tmpDir, "logs"), labels: {},
      });
      const config = {
        name: "c", attempt: 0, image: "busybox", command: ["true"], args: [], env: [], tty: false, stdin: false, stdinOnce: false,
        resources: {}, logPath: "c/0.log", labels: {}, mounts: [{ hostPath: fixture.tmpDir, containerPath: "/data", readOnly: false }],
      };
      await assert.rejects(fixture.runtime.createContainer(sandboxId, config), /cannot mount \/data: .*root/);
    } finally {
      await fixture.cleanup();
    }
  });
});

// Unprivileged mode runs the whole suite too when we are root, so both paths stay tested.
if (privileged) {
  runtimeConformance({
    name: "process (unprivileged mode)",
    setUp: async (overrides) => processRuntimeFixture({ ...overrides, unprivileged: true }),
    unprivilegedReason: "the runtime runs in unprivileged mode",
    shellImage: "kubelite/shell",
  });
}

