// What /proc says about a process: its start time (field 22 of /proc/PID/stat, in clock ticks
// since boot), which together with the pid names one process for good, since a pid is reused
// but never with the same start time; and its CPU time and memory when no cgroup measures them.
import fs from "node:fs";

/** Clock ticks per second (USER_HZ); 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

interface ProcStat {
  state: string;
  utime: number;
  stime: number;
  startTime: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); field N is fields[N - 3].
  return {
    state: fields[0] ?? "",
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    startTime: Number(fields[19]),
  };
}

export function processStartTime(pid: number): number | undefined {
  return readStat(pid)?.startTime;
}

/** True while the very process that had this start time is alive (zombies count as gone). */
export function isSameProcessAlive(pid: number, startTime: number | undefined): boolean {
  const stat = readStat(pid);
  if (!stat || stat.state === "Z" || stat.state === "X") return false;
  return startTime === undefined || stat.startTime === startTime;
}

export function processCpuNanos(pid: number): number | undefined {
  const stat = readStat(pid);
  if (!stat) return undefined;
  return ((stat.utime + stat.stime) * 1e9) / CLOCK_TICKS;
}

/** Resident memory (VmRSS) in bytes. */
export function processMemoryBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
