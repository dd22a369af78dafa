// The Launcher conformance suite, run against every implementation: runs report output, exit
// codes and signals, take stdin, environment and working directory, are killed with their
// process group at the timeout and keep at most maxOutputBytes; detached processes get a session
// of their own, write to the files given, and their exit is seen.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { Launcher } from "../../../src/node/launcher/launcher.js";
import { isSameProcessAlive } from "../../../src/node/runtime/process/proc.js";
import { waitFor } from "../runtime/wait.js";

const PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

export function withLauncher(make: () => Launcher, fn: (launcher: Launcher, dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const launcher = make();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kl-launcher-"));
    try {
      await fn(launcher, dir);
    } finally {
      await launcher.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Resolves with the promise's value, or fails after timeoutMs (a ref'd timer keeps the test alive). */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function launcherConformance(name: string, make: () => Launcher): void {
  const test = (fn: (launcher: Launcher, dir: string) => Promise<void>) => withLauncher(make, fn);

  describe(`${name} launcher conformance`, () => {
    it("returns a run's stdout, stderr and exit code", test(async (launcher) => {
      const result = await launcher.run("sh", ["-c", "echo out; echo err >&2; exit 3"]);
      assert.deepEqual({ ...result, stdout: result.stdout.toString(), stderr: result.stderr.toString() }, { code: 3, signal: null, stdout: "out\n", stderr: "err\n", timedOut: false });
    }));

    it("reports the signal that ended a run", test(async (launcher) => {
      const result = await launcher.run("sh", ["-c", "kill -TERM $$"]);
      assert.equal(result.code, null);
      assert.equal(result.signal, "SIGTERM");
    }));

    it("writes the input to the run's stdin and closes it", test(async (launcher) => {
      const result = await launcher.run("cat", [], { input: "line one\nline two" });
      assert.equal(result.stdout.toString(), "line one\nline two");
      const none = await launcher.run("cat", []);
      assert.equal(none.code, 0);
      assert.equal(none.stdout.length, 0);
    }));

    it("runs with exactly the given environment and working directory", test(async (launcher, dir) => {
      const result = await launcher.run("/bin/sh", ["-c", 'echo "$GREETING|$(pwd)|$(env | wc -l)"'], { env: { GREETING: "hi", PATH }, cwd: dir });
      // sh adds PWD (and may add SHLVL, _): at most a handful beyond the two given.
      const [greeting, cwd, count] = result.stdout.toString().trim().split("|");
      assert.equal(greeting, "hi");
      assert.equal(cwd, fs.realpathSync(dir));
      assert.ok(Number(count) <= 5, `environment has ${count} entries`);
    }));

    it("kills the run's whole process group at the timeout", test(async (launcher, dir) => {
      const pidFile = path.join(dir, "background.pid");
      const started = Date.now();
      const result = await launcher.run("sh", ["-c", `sleep 30 & echo $! > ${pidFile}; echo started; wait`], { timeoutMs: 300 });
      assert.ok(Date.now() - started < 10_000);
      assert.equal(result.timedOut, true);
      assert.equal(result.signal, "SIGKILL");
      assert.equal(result.stdout.toString(), "started\n");
      const background = Number(fs.readFileSync(pidFile, "utf8"));
      await waitFor(() => !isSameProcessAlive(background, undefined), 5_000, "the background sleep to be killed");
    }));

    it("keeps at most maxOutputBytes of each stream and still lets the run finish", test(async (launcher) => {
      const result = await launcher.run("sh", ["-c", "head -c 300000 /dev/zero; head -c 10 /dev/zero >&2"], { maxOutputBytes: 1000 });
      assert.equal(result.code, 0);
      assert.equal(result.stdout.length, 1000);
      assert.equal(result.stderr.length, 10);
    }));

    it("rejects a run of a program that does not exist with ENOENT", test(async (launcher) => {
      await assert.rejects(launcher.run("/nonexistent/program", []), (error: NodeJS.ErrnoException) => error.code === "ENOENT");
    }));

    it("starts a detached process in its own session, with output in the given files, and sees its exit", test(async (launcher, dir) => {
      const stdoutFile = path.join(dir, "out");
      const stderrFile = path.join(dir, "err");
      fs.writeFileSync(stdoutFile, "before\n");
      const script = 'cut -d" " -f6 /proc/self/stat; echo "$WHO" >&2; exit 7';
      const detached = await launcher.spawnDetached("/bin/sh", ["-c", script], { cwd: dir, env: { WHO: "detached", PATH }, stdoutFile, stderrFile });
      assert.deepEqual(await within(detached.exited, 10_000, "the detached process to exit"), { code: 7, signal: null });
      assert.equal(fs.readFileSync(stdoutFile, "utf8"), `before\n${detached.pid}\n`, "appended, and its session is its own");
      assert.equal(fs.readFileSync(stderrFile, "utf8"), "detached\n");
    }));

    it("writes a detached process's stdout and stderr to one file when both name it", test(async (launcher, dir) => {
      const log = path.join(dir, "log");
      const detached = await launcher.spawnDetached("/bin/sh", ["-c", "echo one; echo two >&2"], { cwd: dir, env: { PATH }, stdoutFile: log, stderrFile: log });
      await within(detached.exited, 10_000, "the detached process to exit");
      assert.equal(fs.readFileSync(log, "utf8"), "one\ntwo\n");
    }));

    it("rejects a detached start of a program that does not exist", test(async (launcher, dir) => {
      await assert.rejects(launcher.spawnDetached("/nonexistent/program", [], { cwd: dir, env: {} }), (error: NodeJS.ErrnoException) => error.code === "ENOENT");
    }));

    it("ends runs still in progress on close, but not detached processes", test(async (launcher, dir) => {
      const pidFile = path.join(dir, "run.pid");
      const running = launcher.run("sh", ["-c", `echo $$ > ${pidFile}; exec sleep 30`]).then(() => "settled", () => "settled");
      const detached = await launcher.spawnDetached("sleep", ["30"], { cwd: dir, env: { PATH } });
      await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").endsWith("\n"), 5_000, "the run to start");
      const runPid = Number(fs.readFileSync(pidFile, "utf8"));
      await launcher.close();
      assert.equal(await within(running, 5_000, "the run to settle"), "settled");
      await waitFor(() => !isSameProcessAlive(runPid, undefined), 5_000, "the run to be killed");
      assert.ok(isSameProcessAlive(detached.pid, undefined), "the detached process keeps running");
      process.kill(detached.pid, "SIGKILL");
    }));
  });
}
