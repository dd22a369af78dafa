// HelperLauncher against the Launcher conformance suite, plus what only a helper process brings:
// it starts on first use, a dead one is replaced on the next call, and neither its death nor its
// parent's takes detached processes with it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { HelperLauncher } from "../../../src/node/launcher/helper-launcher.js";
import { isSameProcessAlive } from "../../../src/node/runtime/process/proc.js";
import { waitFor } from "../runtime/wait.js";
import { launcherConformance, within } from "./conformance.js";

launcherConformance("helper", () => new HelperLauncher());

const PATH = "/usr/bin:/bin";

describe("helper launcher", () => {
  it("starts its helper on first use, not before", async () => {
    const launcher = new HelperLauncher();
    try {
      assert.equal(launcher.helperPid, undefined);
      await launcher.run("true", []);
      assert.ok(launcher.helperPid !== undefined && launcher.helperPid !== process.pid);
    } finally {
      await launcher.close();
    }
  });

  it("keeps a detached process running when the helper is SIGKILLed, and starts a new helper on the next call", async () => {
    const launcher = new HelperLauncher();
    try {
      const detached = await launcher.spawnDetached("sleep", ["30"], { cwd: "/", env: { PATH } });
      const first = launcher.helperPid!;
      process.kill(first, "SIGKILL");
      await waitFor(() => !isSameProcessAlive(first, undefined), 5_000, "the helper to die");
      assert.ok(isSameProcessAlive(detached.pid, undefined), "the detached process outlives the helper");
      const result = await launcher.run("echo", ["again"]);
      assert.equal(result.stdout.toString(), "again\n");
      assert.notEqual(launcher.helperPid, first);
      // Its exit is no longer watched by anyone: callers notice it by polling, as here.
      process.kill(detached.pid, "SIGKILL");
      await waitFor(() => !isSameProcessAlive(detached.pid, undefined), 5_000, "the detached process to be gone");
    } finally {
      await launcher.close();
    }
  });

  it("fails a run in progress when the helper dies", async () => {
    const launcher = new HelperLauncher();
    try {
      await launcher.run("true", []);
      const running = launcher.run("sleep", ["30"]);
      process.kill(launcher.helperPid!, "SIGKILL");
      await assert.rejects(within(running, 5_000, "the run to fail"), /helper exited/);
    } finally {
      await launcher.close();
    }
  });

  it("refuses work after close", async () => {
    const launcher = new HelperLauncher();
    await launcher.close();
    await assert.rejects(launcher.run("true", []), /closed/);
  });

  it("leaves when its parent dies, without killing the detached processes it started", async () => {
    const owner = spawn(process.execPath, [fileURLToPath(new URL("./launcher-owner.js", import.meta.url))], { stdio: ["ignore", "pipe", "inherit"] });
    const [line] = (await within(once(owner.stdout, "data"), 10_000, "the owner to start")) as [Buffer];
    const { helperPid, detachedPid } = JSON.parse(line.toString()) as { helperPid: number; detachedPid: number };
    owner.kill("SIGKILL");
    await waitFor(() => !isSameProcessAlive(helperPid, undefined), 5_000, "the helper to leave");
    assert.ok(isSameProcessAlive(detachedPid, undefined), "the detached process keeps running");
    process.kill(detachedPid, "SIGKILL");
  });
});
