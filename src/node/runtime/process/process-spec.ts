// What a container runs, decided before anything starts: upstream's entrypoint rules applied to
// the image the node resolves (pod command replaces the image's command and args; pod args alone
// replace the image's args), the environment (image env under pod env, a default PATH, HOSTNAME)
// and a check that the executable exists, so a typo fails createContainer instead of producing a
// container that vanishes.
import fs from "node:fs";
import path from "node:path";
import { CreateContainerError, ImageNotFoundError, type ContainerConfig, type ImageInfo, type Mount } from "../runtime.js";
import type { ImageResolver } from "../../images/image-resolver.js";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface ProcessSpec {
  argv: string[];
  env: { name: string; value: string }[];
  /** The working directory asked for by the pod or the image, if any. */
  workingDir?: string;
}

export function resolveImage(images: ImageResolver, image: string): ImageInfo {
  const info = images.resolve(image);
  if (info) return info;
  throw new ImageNotFoundError(
    image,
    "ErrImageNeverPull",
    `image "${image}" is not available on node: the process runtime runs host commands; give the container a command, or map the image with --image-map FILE`,
  );
}

export function processSpec(images: ImageResolver, config: ContainerConfig, hostname: string): ProcessSpec {
  // The image matters only for what the pod leaves to it; a pod with a command runs without one.
  const image = images.resolve(config.image);
  if (config.command.length === 0 && !image) resolveImage(images, config.image);
  const argv =
    config.command.length > 0
      ? [...config.command, ...config.args]
      : [...(image?.command ?? []), ...(config.args.length > 0 ? config.args : (image?.args ?? []))];
  if (argv.length === 0) {
    throw new CreateContainerError("CreateContainerError", `no command specified: image "${config.image}" has no command and the container gives none`);
  }
  // As containerd's CRI plugin: HOSTNAME first, then the image's env, then the pod's, later wins.
  const env = mergeEnv(mergeEnv([{ name: "HOSTNAME", value: hostname }], image?.env ?? []), config.env);
  if (!env.some((e) => e.name === "PATH")) env.push({ name: "PATH", value: DEFAULT_PATH });
  return { argv, env, workingDir: config.workingDir ?? image?.workingDir };
}

function mergeEnv(under: { name: string; value: string }[], over: { name: string; value: string }[]): { name: string; value: string }[] {
  const merged = under.map((e) => ({ ...e }));
  for (const e of over) setEnv(merged, e.name, e.value);
  return merged;
}

function setEnv(env: { name: string; value: string }[], name: string, value: string): void {
  const existing = env.find((e) => e.name === name);
  if (existing) existing.value = value;
  else env.push({ name, value });
}

/**
 * Finds the executable as the container will see it: PATH lookup from the container's env, paths
 * relative to the working directory, and paths under a mount translated to the host path.
 * Throws CreateContainerError(ContainerCannotRun) naming the executable when it is missing.
 */
export function checkExecutable(argv0: string, env: { name: string; value: string }[], workingDir: string, mounts: Mount[]): void {
  const candidates = argv0.includes("/")
    ? [path.resolve(workingDir, argv0)]
    : (env.find((e) => e.name === "PATH")?.value ?? DEFAULT_PATH).split(":").filter(Boolean).map((dir) => path.join(dir, argv0));
  for (const candidate of candidates) {
    if (isExecutableFile(hostPathOf(candidate, mounts))) return;
  }
  const where = argv0.includes("/") ? "no such file, or not executable" : "executable file not found in $PATH";
  throw new CreateContainerError("ContainerCannotRun", `exec: "${argv0}": ${where}`);
}

function hostPathOf(containerPath: string, mounts: Mount[]): string {
  // The deepest mount wins, as it would inside the container's mount namespace.
  const mount = [...mounts]
    .sort((a, b) => b.containerPath.length - a.containerPath.length)
    .find((m) => containerPath === m.containerPath || containerPath.startsWith(m.containerPath.replace(/\/$/, "") + "/"));
  return mount ? path.join(mount.hostPath, path.relative(mount.containerPath, containerPath)) : containerPath;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
