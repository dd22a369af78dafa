// Pod volumes on this node, the kubelet's volume manager for the kinds that need no storage
// system: emptyDir (medium Memory as a tmpfs with its sizeLimit when root), configMap, secret,
// downwardAPI, projected (configMap, secret and downwardAPI sources), hostPath (with its type
// checks) and persistentVolumeClaim (its bound volume's path, claim-volumes.ts). Each lives under <root>/<pod uid>/volumes/<name>; refresh() rewrites the files of
// configMap, secret and downwardAPI volumes when their sources change, as the kubelet's periodic
// sync does. What cannot be provided becomes an error message the pod shows as
// CreateContainerConfigError (a missing ConfigMap names it), never a half-mounted container.
import { execFile } from "node:child_process";
import { mkdir, readFile, rename, rm, stat, writeFile, readdir } from "node:fs/promises";
import { dirname, join, normalize } from "node:path";
import { promisify } from "node:util";
import { Quantity } from "../api/quantity.js";
import { podFieldValue, type ConfigSource } from "./container-env.js";
import type { ContainerSpec, Pod } from "./pod-types.js";
import type { Mount } from "./runtime/runtime.js";
import type { PodTokenSource, TokenProjection } from "./service-account-tokens.js";
import { claimMount, ClaimVolumeError, type ClaimSource } from "./claim-volumes.js";

const run = promisify(execFile);

export interface PodVolumes {
  /** The container's mounts, preparing its volumes first; an error message when one cannot be provided. */
  mountsFor(pod: Pod, container: ContainerSpec): Promise<{ mounts: Mount[] } | { error: string }>;
  /** Rewrites projected files whose source changed. */
  refresh(pod: Pod): Promise<void>;
  /** Removes the pod's volumes (unmounting tmpfs ones). */
  tearDown(podUid: string): Promise<void>;
}

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

type Volume = Record<string, unknown> & { name: string };
type FileSet = Map<string, { content: Buffer; mode: number }>;

class VolumeError extends Error {}

export interface NodeVolumesOptions {
  root: string;
  config: ConfigSource;
  hostIP: string;
  /** Mount tmpfs for medium: Memory (needs root). */
  canMount: boolean;
  /** Service-account tokens for projected serviceAccountToken sources. */
  tokens?: PodTokenSource;
  /** Claims and their volumes, for persistentVolumeClaim volumes. */
  claims?: ClaimSource;
}

/** Where the ServiceAccount admission plugin mounts the API credentials in every container. */
const SERVICE_ACCOUNT_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

export class NodeVolumes implements PodVolumes {
  constructor(private readonly options: NodeVolumesOptions) {}

  async mountsFor(pod: Pod, container: ContainerSpec): Promise<{ mounts: Mount[] } | { error: string }> {
    const volumes = new Map(((pod.spec.volumes ?? []) as Volume[]).map((v) => [v.name, v]));
    const mounts: Mount[] = [];
    try {
      for (const mount of container.volumeMounts ?? []) {
        const volume = volumes.get(mount.name);
        if (!volume) throw new VolumeError(`volume "${mount.name}" not found in pod spec`);
        // Without root a container cannot have mounts; the API credentials every pod gets
        // automatically are left out rather than keeping every pod from starting.
        if (!this.options.canMount && mount.mountPath === SERVICE_ACCOUNT_MOUNT_PATH) continue;
        const source = await this.prepare(pod, volume);
        const hostPath = mount.subPath ? safeJoin(source, mount.subPath) : source;
        if (mount.subPath) await mkdir(hostPath, { recursive: true }).catch(() => undefined);
        mounts.push({ hostPath, containerPath: mount.mountPath, readOnly: (mount.readOnly ?? isReadOnlyKind(volume)) || isReadOnlyClaim(volume) });
      }
    } catch (err) {
      if (err instanceof VolumeError || err instanceof ClaimVolumeError) return { error: err.message };
      throw err;
    }
    return { mounts };
  }

  async refresh(pod: Pod): Promise<void> {
    for (const volume of (pod.spec.volumes ?? []) as Volume[]) {
      if (!(volume.configMap || volume.secret || volume.downwardAPI || volume.projected)) continue;
      const dir = this.volumeDir(pod, volume.name);
      const exists = await stat(dir).then(() => true, () => false);
      if (exists) await this.prepare(pod, volume).catch(() => undefined);
    }
  }

  async tearDown(podUid: string): Promise<void> {
    this.options.tokens?.forget(podUid);
    const dir = join(this.options.root, podUid);
    const volumes = join(dir, "volumes");
    for (const name of await readdir(volumes).catch(() => [] as string[])) {
      if (this.options.canMount) await run("umount", [join(volumes, name)]).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  }

  private volumeDir(pod: Pod, name: string): string {
    return join(this.options.root, pod.metadata?.uid ?? "", "volumes", name);
  }

  private async prepare(pod: Pod, volume: Volume): Promise<string> {
    if (volume.hostPath) return hostPathVolume(volume.hostPath as { path: string; type?: string });
    if (volume.persistentVolumeClaim) return this.claimVolume(pod, volume.persistentVolumeClaim as { claimName: string });
    const dir = this.volumeDir(pod, volume.name);
    if (volume.emptyDir) {
      await this.emptyDir(dir, volume.emptyDir as { medium?: string; sizeLimit?: string });
      return dir;
    }
    const namespace = pod.metadata?.namespace ?? "default";
    let files: FileSet | undefined;
    if (volume.configMap) files = await this.configMapFiles(namespace, volume.configMap as Record<string, unknown>);
    else if (volume.secret) files = await this.secretFiles(namespace, volume.secret as Record<string, unknown>);
    else if (volume.downwardAPI) files = this.downwardFiles(pod, volume.downwardAPI as Record<string, unknown>);
    else if (volume.projected) files = await this.projectedFiles(pod, namespace, volume.projected as Record<string, unknown>);
    if (!files) throw new VolumeError(`volume "${volume.name}": ${volumeKind(volume)} volumes are not supported by this node`);
    await writeFiles(dir, files);
    return dir;
  }

  private async claimVolume(pod: Pod, source: { claimName: string }): Promise<string> {
    if (!this.options.claims) throw new VolumeError("persistentVolumeClaim volumes are not supported by this node");
    const mount = await claimMount(this.options.claims, pod.metadata?.namespace ?? "default", source.claimName);
    return hostPathVolume({ path: mount.path, type: mount.hostPathType });
  }

  private async emptyDir(dir: string, spec: { medium?: string; sizeLimit?: string }): Promise<void> {
    await mkdir(dir, { recursive: true });
    if (spec.medium !== "Memory" || !this.options.canMount) return;
    const mounted = await readFile("/proc/self/mounts", "utf8").then((m) => m.includes(` ${dir} `));
    if (mounted) return;
    const size = spec.sizeLimit ? `,size=${Quantity.fromJSON(spec.sizeLimit).value()}` : "";
    await run("mount", ["-t", "tmpfs", "-o", `mode=0777${size}`, "tmpfs", dir]);
  }

  private async configMapFiles(namespace: string, source: Record<string, unknown>): Promise<FileSet> {
    const name = String(source.name ?? "");
    const cm = await this.options.config.configMap(namespace, name);
    if (!cm) {
      if (source.optional) return new Map();
      throw new VolumeError(`configmap "${name}" not found`);
    }
    const data: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries((cm.data as Record<string, string>) ?? {})) data[k] = Buffer.from(v, "utf8");
    for (const [k, v] of Object.entries((cm.binaryData as Record<string, string>) ?? {})) data[k] = Buffer.from(v, "base64");
    return selectKeys(data, source, `ConfigMap ${namespace}/${name}`, 0o644);
  }

  private async secretFiles(namespace: string, source: Record<string, unknown>): Promise<FileSet> {
    const name = String(source.secretName ?? source.name ?? "");
    const secret = await this.options.config.secret(namespace, name);
    if (!secret) {
      if (source.optional) return new Map();
      throw new VolumeError(`secret "${name}" not found`);
    }
    const data: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries((secret.data as Record<string, string>) ?? {})) data[k] = Buffer.from(v, "base64");
    return selectKeys(data, source, `Secret ${namespace}/${name}`, 0o644);
  }

  private downwardFiles(pod: Pod, source: Record<string, unknown>): FileSet {
    const files: FileSet = new Map();
    const defaultMode = (source.defaultMode as number | undefined) ?? 0o644;
    for (const item of (source.items as Record<string, unknown>[] | undefined) ?? []) {
      const fieldRef = item.fieldRef as { fieldPath: string } | undefined;
      let value = "";
      if (fieldRef) value = podFieldValue({ pod, hostIP: this.options.hostIP, podIPs: (pod.status?.podIPs ?? []).map((p) => p.ip) }, fieldRef.fieldPath);
      else if (item.resourceFieldRef) value = resourceValue(pod, item.resourceFieldRef as { containerName?: string; resource: string; divisor?: string });
      files.set(String(item.path), { content: Buffer.from(value, "utf8"), mode: (item.mode as number | undefined) ?? defaultMode });
    }
    return files;
  }

  private async projectedFiles(pod: Pod, namespace: string, source: Record<string, unknown>): Promise<FileSet> {
    const files: FileSet = new Map();
    const defaultMode = (source.defaultMode as number | undefined) ?? 0o644;
    for (const projection of (source.sources as Record<string, unknown>[] | undefined) ?? []) {
      let part: FileSet = new Map();
      if (projection.configMap) part = await this.configMapFiles(namespace, { defaultMode, ...(projection.configMap as Record<string, unknown>) });
      else if (projection.secret) part = await this.secretFiles(namespace, { defaultMode, ...(projection.secret as Record<string, unknown>) });
      else if (projection.downwardAPI) part = this.downwardFiles(pod, { defaultMode, ...(projection.downwardAPI as Record<string, unknown>) });
      else if (projection.serviceAccountToken) part = await this.tokenFile(pod, projection.serviceAccountToken as TokenProjection & { path: string }, defaultMode);
      else if (projection.clusterTrustBundle) throw new VolumeError("projected clusterTrustBundle sources are not supported");
      for (const [path, file] of part) files.set(path, file);
    }
    return files;
  }

  private async tokenFile(pod: Pod, projection: TokenProjection & { path: string }, mode: number): Promise<FileSet> {
    if (!this.options.tokens) throw new VolumeError("projected serviceAccountToken sources are not supported by this node");
    const token = await this.options.tokens.token(pod, projection).catch((err: unknown) => {
      throw new VolumeError(`failed to fetch token: ${err instanceof Error ? err.message : String(err)}`);
    });
    return new Map([[projection.path, { content: Buffer.from(token, "utf8"), mode }]]);
  }
}

function selectKeys(data: Record<string, Buffer>, source: Record<string, unknown>, what: string, fallbackMode: number): FileSet {
  const defaultMode = (source.defaultMode as number | undefined) ?? fallbackMode;
  const files: FileSet = new Map();
  const items = source.items as KeyToPath[] | undefined;
  if (!items?.length) {
    for (const [key, content] of Object.entries(data)) files.set(key, { content, mode: defaultMode });
    return files;
  }
  for (const item of items) {
    const content = data[item.key];
    if (content === undefined) {
      if (source.optional) continue;
      throw new VolumeError(`configmap references non-existent config key: ${item.key}`.replace("configmap", what.startsWith("Secret") ? "secret" : "configmap"));
    }
    files.set(item.path, { content, mode: item.mode ?? defaultMode });
  }
  return files;
}

/** Writes the volume's files, each atomically (temp + rename), and removes files no longer projected. */
async function writeFiles(dir: string, files: FileSet): Promise<void> {
  await mkdir(dir, { recursive: true });
  const wanted = new Set<string>();
  for (const [path, file] of files) {
    const target = safeJoin(dir, path);
    wanted.add(target);
    const current = await readFile(target).catch(() => undefined);
    if (current && current.equals(file.content)) continue;
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.tmp-${process.pid}`;
    await writeFile(temp, file.content, { mode: file.mode });
    await rename(temp, target);
  }
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? dir, entry.name);
    if (!wanted.has(full)) await rm(full, { force: true });
  }
}

async function hostPathVolume(spec: { path: string; type?: string }): Promise<string> {
  const path = spec.path;
  const info = await stat(path).catch(() => undefined);
  switch (spec.type ?? "") {
    case "DirectoryOrCreate":
      if (!info) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!info.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`);
      break;
    case "Directory":
      if (!info?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`);
      break;
    case "FileOrCreate":
      if (!info) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, "", { mode: 0o644 });
      } else if (!info.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`);
      break;
    case "File":
      if (!info?.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`);
      break;
    case "Socket":
      if (!info?.isSocket()) throw new VolumeError(`hostPath type check failed: ${path} is not a socket file`);
      break;
    case "CharDevice":
      if (!info?.isCharacterDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a character device`);
      break;
    case "BlockDevice":
      if (!info?.isBlockDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a block device`);
      break;
  }
  return path;
}

function resourceValue(pod: Pod, ref: { containerName?: string; resource: string; divisor?: string }): string {
  const container = pod.spec.containers.find((c) => c.name === ref.containerName) ?? pod.spec.containers[0];
  const [kind, resource] = ref.resource.split(".", 2) as [string, string];
  const quantity = (kind === "limits" ? container?.resources?.limits : container?.resources?.requests)?.[resource];
  if (quantity === undefined) return "0";
  return String(Math.ceil(Quantity.fromJSON(quantity).milliValue() / Quantity.fromJSON(ref.divisor ?? "1").milliValue()));
}

function isReadOnlyKind(volume: Volume): boolean {
  return Boolean(volume.configMap || volume.secret || volume.downwardAPI || volume.projected);
}

/** A claim mounted with readOnly: true is read-only in every container, whatever the mount says. */
function isReadOnlyClaim(volume: Volume): boolean {
  return (volume.persistentVolumeClaim as { readOnly?: boolean } | undefined)?.readOnly === true;
}

function volumeKind(volume: Volume): string {
  return Object.keys(volume).find((k) => k !== "name") ?? "unknown";
}

/** Joins a relative path under a directory, refusing anything that escapes it (`..`, absolute paths). */
function safeJoin(dir: string, relative: string): string {
  const joined = normalize(join(dir, relative));
  if (relative.startsWith("/") || (joined !== dir && !joined.startsWith(`${dir}/`))) throw new VolumeError(`invalid path ${JSON.stringify(relative)}: must stay inside the volume`);
  return joined;
}
