// The Launcher that forks through a helper process (launcher-helper.ts), so that a large process
// (the API server with its agents) never forks itself: the helper is started on first use with
// one fork, is restarted on the next call if it died, and leaves when this process goes away.
// A run whose request never reached the helper (it had just died) is retried once on a new
// helper; a run in progress when the helper dies fails. A detached process's `exited` resolves
// when the helper sees it exit; if the helper dies first, it never resolves (callers poll).
// The helper does not keep this process alive unless a request is waiting for its reply.
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Logger } from "../../log.js";
import { LaunchError, type Detached, type DetachedExit, type DetachedOptions, type Launcher, type RunOptions, type RunResult } from "./launcher.js";
import type { Reply, Request } from "./protocol.js";

export interface HelperLauncherOptions {
  log?: Logger;
  /** The helper program (default launcher-helper.js beside this module). */
  helperPath?: string;
}

type Work = { op: "run"; file: string; args: string[]; options: RunOptions } | { op: "spawnDetached"; file: string; args: string[]; options: DetachedOptions };

interface Pending {
  settle(reply: Reply): void;
  fail(error: Error): void;
}

const CLOSE_GRACE_MS = 2_000;

export class HelperLauncher implements Launcher {
  private readonly helperPath: string;
  private helper?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly exits = new Map<number, (exit: DetachedExit) => void>();
  private closed = false;

  constructor(private readonly options: HelperLauncherOptions = {}) {
    this.helperPath = options.helperPath ?? fileURLToPath(new URL("./launcher-helper.js", import.meta.url));
  }

  /** The running helper's pid, if one is running (for measurements and tests). */
  get helperPid(): number | undefined {
    return this.helper?.pid;
  }

  async run(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    const reply = await this.request({ op: "run", file, args, options });
    if (reply.op !== "result") throw new Error(`launcher helper: unexpected reply ${reply.op} to run`);
    const { result } = reply;
    return { ...result, stdout: asBuffer(result.stdout), stderr: asBuffer(result.stderr) };
  }

  async spawnDetached(file: string, args: string[], options: DetachedOptions): Promise<Detached> {
    let exitedResolve!: (exit: DetachedExit) => void;
    const exited = new Promise<DetachedExit>((resolve) => (exitedResolve = resolve));
    const reply = await this.request({ op: "spawnDetached", file, args, options }, (id) => this.exits.set(id, exitedResolve));
    if (reply.op !== "spawned") throw new Error(`launcher helper: unexpected reply ${reply.op} to spawnDetached`);
    return { pid: reply.pid, exited };
  }

  async close(): Promise<void> {
    this.closed = true;
    const helper = this.helper;
    if (!helper || helper.exitCode !== null || helper.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => helper.once("exit", () => resolve()));
    helper.disconnect(); // the helper leaves when its channel closes
    const timer = setTimeout(() => helper.kill("SIGKILL"), CLOSE_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }

  private request(work: Work, registered?: (id: number) => void, retried = false): Promise<Reply> {
    if (this.closed) return Promise.reject(new Error("launcher is closed"));
    const helper = this.ensureHelper();
    const id = this.nextId++;
    registered?.(id);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, {
        settle: (reply) => (reply.op === "error" ? reject(new LaunchError(reply.message, reply.code)) : resolve(reply)),
        fail: reject,
      });
      this.updateRef();
      helper.send({ id, ...work } as Request, undefined, undefined, (error) => {
        if (!error || !this.pending.delete(id)) return;
        this.exits.delete(id);
        this.updateRef();
        // Not delivered, so never started: drop the helper and try once more on a new one.
        this.dropHelper(helper);
        if (retried) reject(error);
        else this.request(work, registered, true).then(resolve, reject);
      });
    });
  }

  private ensureHelper(): ChildProcess {
    const current = this.helper;
    if (current && current.connected && current.exitCode === null && !hasDied(current.pid)) return current;
    if (current) this.dropHelper(current);
    // execArgv []: none of this process's flags (inspector, profilers, heap size) apply to the helper.
    const helper = fork(this.helperPath, [], { serialization: "advanced", execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    helper.on("message", (reply: Reply) => this.onReply(reply));
    helper.on("error", (error) => this.options.log?.warn("launcher helper error", { error }));
    // A helper without its channel can never reply: that, not its exit (whose notice does not
    // keep this process alive), is when its requests fail.
    helper.once("disconnect", () => {
      if (this.helper === helper && !this.closed) this.options.log?.warn("launcher helper went away; the next launch starts a new one");
      this.dropHelper(helper);
    });
    helper.once("exit", () => this.dropHelper(helper));
    helper.unref();
    this.helper = helper;
    return helper;
  }

  /**
   * Forgets a dead (or unreachable) helper: its runs fail, its detached exits are never seen. A
   * live one leaves by itself once its channel closes.
   */
  private dropHelper(helper: ChildProcess): void {
    if (this.helper !== helper) return;
    this.helper = undefined;
    if (helper.connected) helper.disconnect();
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.exits.clear();
    const error = new Error("the launcher helper exited before replying");
    for (const p of pending) p.fail(error);
  }

  private onReply(reply: Reply): void {
    if (reply.op === "exited") {
      this.exits.get(reply.id)?.({ code: reply.code, signal: reply.signal });
      this.exits.delete(reply.id);
      return;
    }
    if (reply.op === "error") this.exits.delete(reply.id);
    const pending = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    this.updateRef();
    pending?.settle(reply);
  }

  /** The channel keeps this process alive only while a reply is awaited. */
  private updateRef(): void {
    const channel = this.helper?.channel;
    if (!channel) return;
    if (this.pending.size > 0) channel.ref();
    else channel.unref();
  }
}

/** True once the process has died, even before its exit is handled here (a zombie counts as dead). */
function hasDied(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state === "Z" || state === "X";
  } catch {
    return process.platform === "linux"; // no /proc entry: gone (elsewhere, rely on the exit event)
  }
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
