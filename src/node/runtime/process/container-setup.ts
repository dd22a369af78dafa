// createContainer's work, before anything runs: the process to run (image rules, env, the
// executable checked), the working directory, mount points, the user, the cgroup with its limits,
// the stdin FIFO, an empty CRI log, and the shim scripts. Returns the record to persist.
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../../../log.js";
import type { ImageResolver } from "../../images/image-resolver.js";
import type { Launcher } from "../../launcher/launcher.js";
import { CreateContainerError, type ContainerConfig } from "../runtime.js";
import type { Cgroups } from "./cgroups.js";
import { ensurePath, primaryGroupOf, removeIfEmpty } from "./host-paths.js";
import { makeFifo } from "./namespaces.js";
import { podFileMounts } from "./pod-files.js";
import { checkExecutable, processSpec } from "./process-spec.js";
import type { ContainerRecord, SandboxRecord } from "./records.js";
import { prepareShim, SHIM_FILES } from "./shim.js";

export interface SetupContext {
  images: ImageResolver;
  cgroups?: Cgroups;
  /** Namespaces, mounts and user switching are available (root). */
  privileged: boolean;
  log: Logger;
  launcher: Launcher;
}

export async function setUpContainer(
  context: SetupContext,
  sandbox: SandboxRecord,
  id: string,
  dir: string,
  config: ContainerConfig,
): Promise<ContainerRecord> {
  const spec = processSpec(context.images, config, sandbox.config.hostname);
  const workingDir = spec.workingDir ? path.resolve("/", spec.workingDir) : path.join(dir, "work");
  const mounts = config.mounts.filter((m) => path.resolve(m.hostPath) !== path.resolve(m.containerPath));
  if (mounts.length > 0 && !context.privileged) {
    const paths = mounts.map((m) => m.containerPath).join(", ");
    throw new CreateContainerError("CreateContainerConfigError", `cannot mount ${paths}: volume mounts need the process runtime to run as root (without root containers see the host's filesystem as it is)`);
  }
  checkExecutable(spec.argv[0] ?? "", spec.env, workingDir, mounts);
  const user = userOf(context, config);

  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  const created: string[] = [];
  const record: ContainerRecord = {
    id,
    sandboxId: sandbox.id,
    config,
    state: "created",
    createdAt: new Date().toISOString(),
    argv: spec.argv,
    env: spec.env,
    workingDir,
    logPath: path.join(sandbox.config.logDirectory, config.logPath),
    resources: config.resources,
    createdMountPoints: created,
    user,
  };
  try {
    created.push(...ensurePath(workingDir, "directory"));
    if (!spec.workingDir && user) fs.chownSync(workingDir, user.uid, user.gid);
    for (const m of mounts) created.push(...ensurePath(m.containerPath, fs.statSync(m.hostPath).isDirectory() ? "directory" : "file"));
    if (context.cgroups && sandbox.cgroup) {
      record.cgroup = context.cgroups.child(sandbox.cgroup, id);
      context.cgroups.create(record.cgroup);
      context.cgroups.setResources(record.cgroup, config.resources);
    }
    if (config.stdin) await makeFifo(context.launcher, path.join(dir, SHIM_FILES.stdin));
    fs.mkdirSync(path.dirname(record.logPath), { recursive: true });
    fs.closeSync(fs.openSync(record.logPath, "a", 0o640));
    prepareShim({
      dir,
      argv: spec.argv,
      env: spec.env,
      workingDir,
      stdin: config.stdin,
      cgroupProcs: record.cgroup && context.cgroups ? context.cgroups.procsFiles(record.cgroup) : [],
      netnsPath: sandbox.netnsPath,
      utsPath: sandbox.utsPath,
      // The pod's resolv.conf and hosts first, so a volume mounted over /etc still wins.
      mounts: context.privileged ? [...podFileMounts(sandbox.files ?? {}), ...mounts] : undefined,
      user,
    });
    return record;
  } catch (error) {
    if (record.cgroup) await context.cgroups?.remove(record.cgroup).catch(() => undefined);
    removeIfEmpty(created);
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export function userOf(context: SetupContext, config: ContainerConfig): { uid: number; gid: number } | undefined {
  if (config.runAsUser === undefined && config.runAsGroup === undefined) return undefined;
  if (!context.privileged) {
    context.log.warn("runAsUser/runAsGroup ignored: the process runtime is not running as root", { container: config.name });
    return undefined;
  }
  const uid = config.runAsUser ?? 0;
  return { uid, gid: config.runAsGroup ?? primaryGroupOf(uid) ?? 0 };
}
