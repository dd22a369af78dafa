// Persistent namespaces of a pod sandbox (root only). The UTS namespace holding the pod's
// hostname is kept alive by a bind mount of /proc/PID/ns/uts on a file in the sandbox's state
// directory (unshare --uts=FILE), so containers join it later with nsenter --uts=FILE even
// though no process of the pod lives in it between containers. The tools run through a Launcher.
import fs from "node:fs";
import type { Launcher } from "../../launcher/launcher.js";

async function mustRun(launcher: Launcher, file: string, args: string[]): Promise<void> {
  const result = await launcher.run(file, args);
  if (result.code !== 0) {
    const output = (result.stderr.toString("utf8") || result.stdout.toString("utf8")).trim().slice(0, 500);
    throw new Error(`${[file, ...args].join(" ")} exited with ${result.code ?? result.signal}: ${output}`);
  }
}

export async function createUtsNamespace(launcher: Launcher, file: string, hostname: string): Promise<void> {
  fs.writeFileSync(file, "");
  await mustRun(launcher, "unshare", [`--uts=${file}`, "hostname", hostname]);
}

export async function removeNamespaceFile(launcher: Launcher, file: string): Promise<void> {
  try {
    await mustRun(launcher, "umount", [file]);
  } catch {
    // Not mounted (never created, or already released).
  }
  fs.rmSync(file, { force: true });
}

export async function makeFifo(launcher: Launcher, file: string): Promise<void> {
  await mustRun(launcher, "mkfifo", ["-m", "0600", file]);
}
