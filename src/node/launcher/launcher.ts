// Launching host processes for the node agent. Forking a process costs time in proportion to its
// resident memory, and the agent often shares its process with the API server (hundreds of MB),
// so callers start processes through a Launcher: LocalLauncher forks from this process, while
// HelperLauncher asks a small long-lived helper process to fork instead. Both give the same
// guarantees: run() captures output up to a cap and kills the child's process group at its
// timeout; spawnDetached() starts a process in its own session that outlives the launcher.

export interface RunOptions {
  /** Written to the child's stdin, which is then closed; without it stdin is /dev/null. */
  input?: string | Buffer;
  /** The child's whole environment; without it the launcher's own environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The child's process group is killed (SIGKILL) after this long. */
  timeoutMs?: number;
  /** Each of stdout and stderr keeps at most this many bytes (default 16 MiB); the rest is read and dropped. */
  maxOutputBytes?: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

export interface DetachedOptions {
  cwd: string;
  env: Record<string, string>;
  /** Appended to (created 0600); without it the output goes to /dev/null. */
  stdoutFile?: string;
  stderrFile?: string;
}

export interface DetachedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Detached {
  pid: number;
  /**
   * Resolves when the launcher sees the process exit; never rejects. It may never resolve (the
   * helper that watched the process died), so callers must also notice the exit some other way.
   */
  exited: Promise<DetachedExit>;
}

export interface Launcher {
  /** Runs `file args…` (no shell) to completion; rejects only when it cannot be started. */
  run(file: string, args: string[], options?: RunOptions): Promise<RunResult>;
  /** Starts `file args…` detached in a session of its own and resolves once it has a pid. */
  spawnDetached(file: string, args: string[], options: DetachedOptions): Promise<Detached>;
  /** Kills runs still in progress and releases the launcher; detached processes keep running. */
  close(): Promise<void>;
}

/** A process that could not be started; code is the errno name (ENOENT, EACCES…). */
export class LaunchError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "LaunchError";
  }
}

export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
