// The messages between HelperLauncher and its helper process over the IPC channel (advanced
// serialization, so Buffers travel as they are). Every request carries an id; a run gets one
// "result" or "error", a detached spawn one "spawned" or "error" and later one "exited".
import type { DetachedOptions, RunOptions, RunResult } from "./launcher.js";

export type Request =
  | { id: number; op: "run"; file: string; args: string[]; options: RunOptions }
  | { id: number; op: "spawnDetached"; file: string; args: string[]; options: DetachedOptions };

export type Reply =
  | { id: number; op: "result"; result: RunResult }
  | { id: number; op: "spawned"; pid: number }
  | { id: number; op: "exited"; code: number | null; signal: NodeJS.Signals | null }
  | { id: number; op: "error"; message: string; code?: string };
