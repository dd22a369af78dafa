// How a container ended, in upstream's words: exit 0 is "Completed"; a SIGKILL (137) in a memory
// cgroup whose OOM killer fired is "OOMKilled"; anything else "Error". A container whose shim
// vanished without writing a status (killed, or the machine rebooted) ends "Error" with 255.
import fs from "node:fs";
import path from "node:path";
import type { Cgroups } from "./cgroups.js";
import type { ContainerRecord } from "./records.js";
import { readNumberFile, SHIM_FILES } from "./shim.js";

export const SIGKILL_EXIT = 137;
const UNKNOWN_EXIT = 255;

export interface Termination {
  exitCode: number;
  reason: string;
  message?: string;
  finishedAt: string;
}

/** The recorded end of a container, if its shim has written one. */
export function readTermination(record: ContainerRecord, dir: string, cgroups: Cgroups | undefined): Termination | undefined {
  const file = path.join(dir, SHIM_FILES.exit);
  const exitCode = readNumberFile(file);
  if (exitCode === undefined || Number.isNaN(exitCode)) return undefined;
  const finishedAt = fs.statSync(file).mtime.toISOString();
  if (exitCode === 0) return { exitCode, reason: "Completed", finishedAt };
  if (exitCode === SIGKILL_EXIT && record.cgroup && cgroups?.oomKilled(record.cgroup)) {
    return { exitCode, reason: "OOMKilled", message: "the container exceeded its memory limit", finishedAt };
  }
  return { exitCode, reason: "Error", finishedAt };
}

export function vanished(now: Date): Termination {
  return {
    exitCode: UNKNOWN_EXIT,
    reason: "Error",
    message: "the container's process ended without recording an exit status (its shim was killed)",
    finishedAt: now.toISOString(),
  };
}
