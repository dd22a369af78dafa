// Persistent namespaces of a pod sandbox (root only). The UTS namespace holding the pod's
// hostname is kept alive by a bind mount of /proc/PID/ns/uts on a file in the sandbox's state
// directory (unshare --uts=FILE), so containers join it later with nsenter --uts=FILE even
// though no process of the pod lives in it between containers.
import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function createUtsNamespace(file: string, hostname: string): Promise<void> {
  fs.writeFileSync(file, "");
  await run("unshare", [`--uts=${file}`, "hostname", hostname]);
}

export async function removeNamespaceFile(file: string): Promise<void> {
  try {
    await run("umount", [file]);
  } catch {
    // Not mounted (never created, or already released).
  }
  fs.rmSync(file, { force: true });
}

export async function makeFifo(file: string): Promise<void> {
  await run("mkfifo", ["-m", "0600", file]);
}
