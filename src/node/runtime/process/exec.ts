// exec and execSync for the process runtime: a command started the way the container was, inside
// its namespaces (nsenter --target PID), its cgroups, as its user, with its environment and
// working directory. With a terminal it runs under node-pty (resizable, stderr merged into
// stdout); without, on pipes in a process group of its own, so kill() reaches its children. An
// exec run to its end (execToEnd) goes through the runtime's Launcher instead.
import { spawn } from "node:child_process";
import os from "node:os";
import { PassThrough, Writable } from "node:stream";
import { spawn as spawnPty } from "node-pty";
import { killGroup } from "../../launcher/child-runner.js";
import type { Launcher } from "../../launcher/launcher.js";
import type { ExecOptions, ExecResult, ExecSession } from "../runtime.js";
import { quote } from "./shim.js";

/** What an exec needs to know about its container. */
export interface ExecTarget {
  pid: number;
  env: { name: string; value: string }[];
  workingDir: string;
  /** Present when the runtime has cgroups and namespaces (root). */
  cgroupProcs?: string[];
  user?: { uid: number; gid: number };
}

export const EXEC_OUTPUT_LIMIT = 16 * 1024;

/** The argv that runs command inside the target container. */
export function execArgv(target: ExecTarget, command: string[]): string[] {
  const env = ["env", "-i", ...target.env.map((e) => `${e.name}=${e.value}`)];
  const setpriv = target.user ? ["setpriv", `--reuid=${target.user.uid}`, `--regid=${target.user.gid}`, "--clear-groups", "--"] : [];
  const enterDir = ["/bin/sh", "-c", 'cd "$0" || exit 1; exec "$@"', target.workingDir];
  const inner = [...enterDir, ...setpriv, ...env, ...command];
  if (!target.cgroupProcs) return inner;
  const join = target.cgroupProcs.map((f) => `echo $$ >${quote(f)} || exit 1; `).join("");
  const nsenter = ["nsenter", `--target=${target.pid}`, "--net", "--uts", "--mount", "--"];
  return ["/bin/sh", "-c", `${join}exec "$@"`, "sh", ...nsenter, ...inner];
}

export function exitCodeOf(code: number | null, signal: NodeJS.Signals | number | null | undefined): number {
  if (typeof signal === "string") return 128 + (os.constants.signals[signal] ?? 0);
  if (typeof signal === "number" && signal > 0) return 128 + signal;
  return code ?? 0;
}

export function startExec(target: ExecTarget, options: ExecOptions): ExecSession {
  const argv = execArgv(target, options.command);
  return options.tty ? startWithTerminal(argv, options) : startWithPipes(argv, options);
}

function startWithPipes(argv: string[], options: ExecOptions): ExecSession {
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, {
    detached: true,
    stdio: [options.stdin ? "pipe" : "ignore", options.stdout ? "pipe" : "ignore", options.stderr ? "pipe" : "ignore"],
    env: {},
  });
  const exited = new Promise<number>((resolve) => {
    child.once("error", () => resolve(127));
    child.once("close", (code, signal) => resolve(exitCodeOf(code, signal)));
  });
  return {
    stdin: child.stdin ?? undefined,
    stdout: child.stdout ?? undefined,
    stderr: child.stderr ?? undefined,
    resize: () => {},
    exited,
    kill: () => killGroup(child.pid),
  };
}

function startWithTerminal(argv: string[], options: ExecOptions): ExecSession {
  const [file, ...args] = argv as [string, ...string[]];
  const terminal = spawnPty(file, args, { name: "xterm", cols: 80, rows: 24, env: {} });
  const stdout = new PassThrough();
  terminal.onData((data) => {
    if (options.stdout) stdout.write(data);
  });
  const exited = new Promise<number>((resolve) => {
    terminal.onExit(({ exitCode, signal }) => {
      stdout.end();
      resolve(exitCodeOf(exitCode, signal));
    });
  });
  const stdin = options.stdin
    ? new Writable({
        write(chunk: Buffer, _encoding, callback) {
          terminal.write(chunk);
          callback();
        },
      })
    : undefined;
  return {
    stdin,
    stdout,
    resize: ({ width, height }) => terminal.resize(Math.max(1, width), Math.max(1, height)),
    exited,
    kill: () => killGroup(terminal.pid),
  };
}


/**
 * Runs command in the target container to its end through the launcher (exec probes and
 * lifecycle hooks), with capped output; its process group is killed after timeoutMs.
 */
export async function execToEnd(launcher: Launcher, target: ExecTarget, command: string[], timeoutMs: number): Promise<ExecResult> {
  const [file, ...args] = execArgv(target, command) as [string, ...string[]];
  try {
    const result = await launcher.run(file, args, { env: {}, timeoutMs, maxOutputBytes: EXEC_OUTPUT_LIMIT });
    return { exitCode: exitCodeOf(result.code, result.signal), stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut };
  } catch (error) {
    // Could not be started at all: what a shell reports for a command it cannot run.
    return { exitCode: 127, stdout: Buffer.alloc(0), stderr: Buffer.from(error instanceof Error ? error.message : String(error)), timedOut: false };
  }
}
