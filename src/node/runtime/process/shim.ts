// The container shim: two small shell scripts written into the container's state directory.
// shim.sh is started detached (its own session, stdio not tied to the agent), so the container
// outlives the agent. It starts start.sh in a new session (the container's process group, so
// stop signals reach every process of it) with stdout/stderr appended to raw files, records the
// pid, waits, and writes the exit status (128+signal when killed, as sh reports it) to "exit".
// start.sh joins the container's cgroups and the pod's namespaces, then (in a private mount
// namespace) bind-mounts the mounts, enters the working directory, drops to the container's user
// and execs the command with a clean environment. Every step execs, so the pid stays the same.
import fs from "node:fs";
import path from "node:path";
import type { Detached, Launcher } from "../../launcher/launcher.js";
import type { Mount } from "../runtime.js";
import { DEFAULT_PATH } from "./process-spec.js";

export interface ShimPlan {
  dir: string;
  argv: string[];
  env: { name: string; value: string }[];
  workingDir: string;
  /** Read stdin from the container's FIFO (config.stdin) instead of /dev/null. */
  stdin: boolean;
  cgroupProcs: string[];
  netnsPath?: string;
  utsPath?: string;
  /** A private mount namespace with these bind mounts (root only). */
  mounts?: Mount[];
  user?: { uid: number; gid: number };
}

export const SHIM_FILES = {
  pid: "pid",
  exit: "exit",
  stdout: "stdout.raw",
  stderr: "stderr.raw",
  stdin: "stdin.fifo",
  shimLog: "shim.log",
} as const;

export function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function shimScript(plan: ShimPlan): string {
  const stdin = plan.stdin ? `<>${SHIM_FILES.stdin}` : "</dev/null";
  return [
    "#!/bin/sh",
    "# kubelite container shim: runs the container, records its pid and its exit status.",
    `cd ${quote(plan.dir)} || exit 1`,
    `setsid /bin/sh ./start.sh 1 ${stdin} >>${SHIM_FILES.stdout} 2>>${SHIM_FILES.stderr} &`,
    "pid=$!",
    `echo "$pid" >${SHIM_FILES.pid}.tmp && mv ${SHIM_FILES.pid}.tmp ${SHIM_FILES.pid}`,
    'wait "$pid"',
    "status=$?",
    `echo "$status" >${SHIM_FILES.exit}.tmp && mv ${SHIM_FILES.exit}.tmp ${SHIM_FILES.exit}`,
    "",
  ].join("\n");
}

function startScript(plan: ShimPlan): string {
  const lines = ["#!/bin/sh", "# kubelite container start: cgroups, namespaces, mounts, user, environment, command."];
  const enter: string[] = [];
  if (plan.netnsPath) enter.push(`--net=${quote(plan.netnsPath)}`);
  if (plan.utsPath) enter.push(`--uts=${quote(plan.utsPath)}`);
  const stage1: string[] = [];
  for (const file of plan.cgroupProcs) stage1.push(`echo $$ >${quote(file)} || exit 1`);
  const nsenter = enter.length > 0 ? `nsenter ${enter.join(" ")} -- ` : "";
  const unshare = plan.mounts ? "unshare --mount --propagation private -- " : "";
  if (nsenter || unshare) stage1.push(`exec ${nsenter}${unshare}/bin/sh ./start.sh 2`);
  if (stage1.length > 0) lines.push('if [ "$1" = 1 ]; then', ...stage1.map((l) => `  ${l}`), "fi");
  for (const m of plan.mounts ?? []) {
    lines.push(`mount --bind ${quote(m.hostPath)} ${quote(m.containerPath)} || exit 1`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${quote(m.containerPath)} || exit 1`);
  }
  lines.push(`cd ${quote(plan.workingDir)} || exit 1`);
  const setpriv = plan.user ? `setpriv --reuid=${plan.user.uid} --regid=${plan.user.gid} --clear-groups -- ` : "";
  const env = plan.env.map((e) => quote(`${e.name}=${e.value}`)).join(" ");
  lines.push(`exec ${setpriv}env -i ${env} ${plan.argv.map(quote).join(" ")}`, "");
  return lines.join("\n");
}

/** Writes the scripts (and the stdin FIFO) for a container that has not started yet. */
export function prepareShim(plan: ShimPlan): void {
  fs.writeFileSync(path.join(plan.dir, "shim.sh"), shimScript(plan), { mode: 0o700 });
  fs.writeFileSync(path.join(plan.dir, "start.sh"), startScript(plan), { mode: 0o700 });
  for (const file of [SHIM_FILES.stdout, SHIM_FILES.stderr]) fs.closeSync(fs.openSync(path.join(plan.dir, file), "a", 0o600));
}

/** Starts the shim detached; its `exited` only serves to notice the container's end promptly. */
export function launchShim(launcher: Launcher, dir: string): Promise<Detached> {
  const log = path.join(dir, SHIM_FILES.shimLog);
  return launcher.spawnDetached("/bin/sh", [path.join(dir, "shim.sh")], { cwd: dir, env: { PATH: DEFAULT_PATH }, stdoutFile: log, stderrFile: log });
}

export function readNumberFile(file: string): number | undefined {
  try {
    const text = fs.readFileSync(file, "utf8").trim();
    return text === "" ? undefined : Number(text);
  } catch {
    return undefined;
  }
}

/** The container's pid once the shim has recorded it; undefined when it never does. */
export async function waitForPidFile(dir: string, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = readNumberFile(path.join(dir, SHIM_FILES.pid));
    if (pid !== undefined || Date.now() > deadline) return pid;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
