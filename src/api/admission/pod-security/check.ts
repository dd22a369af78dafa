// What a Pod Security check is (upstream's policy.Check): an id, the level it belongs to, and one
// implementation per policy version it changed in; restricted checks may replace baseline ones.
// Also the pod shapes the checks read and upstream's message helpers, so every check words its
// findings the same way: `containers "a", "b" must not set ...`.

export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  seccompProfile?: { type?: string };
  appArmorProfile?: { type?: string };
  windowsOptions?: { hostProcess?: boolean };
}

export interface PodSecurityContext extends SecurityContext {
  sysctls?: { name: string; value?: string }[];
}

export interface Container {
  name: string;
  image?: string;
  ports?: { hostPort?: number }[];
  securityContext?: SecurityContext;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: ({ name: string } & Record<string, unknown>)[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  hostUsers?: boolean;
  os?: { name?: string };
  securityContext?: PodSecurityContext;
}

export interface PodMetadata {
  name?: string;
  annotations?: Record<string, string>;
}

export interface CheckResult {
  allowed: boolean;
  forbiddenReason?: string;
  forbiddenDetail?: string;
}

export type CheckPod = (metadata: PodMetadata, spec: PodSpec) => CheckResult;

export interface VersionedCheck {
  /** The v1 minor version from which this implementation applies. */
  minimumMinor: number;
  checkPod: CheckPod;
  /** Baseline checks this restricted check replaces (it checks the same fields more strictly). */
  overrides?: string[];
}

export interface Check {
  id: string;
  level: "baseline" | "restricted";
  versions: VersionedCheck[];
}

export const ALLOWED: CheckResult = { allowed: true };

export function forbidden(reason: string, detail: string): CheckResult {
  return { allowed: false, forbiddenReason: reason, forbiddenDetail: detail };
}

/** Every container of the pod: init, regular, then ephemeral, as upstream's visitContainers. */
export function containersOf(spec: PodSpec): readonly Container[] {
  const init = spec.initContainers ?? [];
  const containers = spec.containers ?? [];
  const ephemeral = spec.ephemeralContainers ?? [];
  // Every check of every pod asks: most pods have only `containers`, which need no copy.
  if (init.length === 0 && ephemeral.length === 0) return containers;
  return [...init, ...containers, ...ephemeral];
}

/** `"a", "b"` */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? "" : items.map((item) => JSON.stringify(item)).join(", ");
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `container "a"` or `containers "a", "b"`. */
export function namedContainers(names: readonly string[]): string {
  return `${pluralize("container", "containers", names.length)} ${joinQuote(names)}`;
}

/** Sorted distinct values, as upstream's sets.String.List(). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/**
 * The "who sets it" list of checks that look at both the pod's and the containers' security
 * contexts: `pod and containers "a", "b"`.
 */
export function setters(pod: boolean, containers: readonly string[]): string {
  const parts = pod ? ["pod"] : [];
  if (containers.length > 0) parts.push(namedContainers(containers));
  return parts.join(" and ");
}

export const isWindows = (spec: PodSpec) => spec.os?.name === "windows";
