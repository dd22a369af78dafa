// The forking half of every Launcher: runs children to completion (own process group, output
// capped, group killed at the timeout) and starts detached ones. It imports only Node built-ins,
// so the launcher helper that loads it stays small and its own forks stay cheap.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { Readable } from "node:stream";
import { DEFAULT_MAX_OUTPUT_BYTES, type Detached, type DetachedExit, type DetachedOptions, type RunOptions, type RunResult } from "./launcher.js";

export class ChildRunner {
  private readonly running = new Set<ChildProcess>();

  run(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      // A process group of its own (setsid), so the timeout reaches the child's children too.
      const child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      this.running.add(child);
      const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
      const stdout = capture(child.stdout, limit);
      const stderr = capture(child.stderr, limit);
      let timedOut = false;
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, options.timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.running.delete(child);
      };
      child.once("error", (error) => {
        settle();
        reject(error);
      });
      // A killed child's escaped descendants may still hold its pipes: stop waiting for them.
      child.once("exit", () => {
        if (timedOut) for (const stream of [child.stdout, child.stderr]) stream?.destroy();
      });
      child.once("close", (code, signal) => {
        settle();
        resolve({ code, signal, stdout: stdout(), stderr: stderr(), timedOut });
      });
      if (child.stdin) {
        child.stdin.on("error", () => {}); // a child that exits without reading stdin is not an error
        child.stdin.end(options.input);
      }
    });
  }

  spawnDetached(file: string, args: string[], options: DetachedOptions): Promise<Detached> {
    const out = options.stdoutFile === undefined ? undefined : fs.openSync(options.stdoutFile, "a", 0o600);
    const sameFile = options.stderrFile === options.stdoutFile;
    const err = options.stderrFile === undefined ? undefined : sameFile ? out : fs.openSync(options.stderrFile, "a", 0o600);
    let child: ChildProcess;
    try {
      child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", out ?? "ignore", err ?? "ignore"] });
    } finally {
      if (out !== undefined) fs.closeSync(out);
      if (err !== undefined && !sameFile) fs.closeSync(err);
    }
    child.unref();
    const exited = new Promise<DetachedExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    return new Promise((resolve, reject) => {
      child.once("error", reject); // could not be started: pid stays undefined
      if (child.pid !== undefined) {
        child.on("error", () => {}); // later errors (a failed kill) are of no interest
        resolve({ pid: child.pid, exited });
      }
    });
  }

  /** Kills the process group of every run still in progress. */
  killRunning(): void {
    for (const child of this.running) killGroup(child.pid);
    this.running.clear();
  }
}

function capture(stream: Readable | null, limit: number): () => Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on("data", (chunk: Buffer) => {
    if (size >= limit) return;
    const part = chunk.subarray(0, limit - size);
    chunks.push(part);
    size += part.length;
  });
  return () => Buffer.concat(chunks);
}

export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
