// The Baseline level of the Pod Security Standards: no known privilege escalation. Each check reads
// the fields upstream's k8s.io/pod-security-admission/policy lists and words its finding as upstream
// does, so a refusal reads the same on kubelite as on any cluster.
import { ALLOWED, type Check, containersOf, forbidden, joinQuote, namedContainers, pluralize, setters, sortedSet, type PodMetadata, type PodSpec } from "./check.js";

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

const DEFAULT_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
const SAFE_SYSCTLS_1_0 = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"];
const SAFE_SYSCTLS_1_27 = [...SAFE_SYSCTLS_1_0, "net.ipv4.ip_local_reserved_ports"];
const SAFE_SYSCTLS_1_29 = [...SAFE_SYSCTLS_1_27, "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"];
const SAFE_SYSCTLS_1_32 = [...SAFE_SYSCTLS_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SELINUX_TYPES_1_0 = ["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31 = [...SELINUX_TYPES_1_0, "container_engine_t"];

export const SECCOMP_BASELINE_ID = "seccompProfile_baseline";
export const CAPABILITIES_BASELINE_ID = "capabilities_baseline";
export const HOST_PATH_VOLUMES_ID = "hostPathVolumes";

function appArmorProfile(metadata: PodMetadata, spec: PodSpec) {
  const allowedType = (type: string | undefined) => type === "RuntimeDefault" || type === "Localhost";
  const badValues = new Set<string>();
  const podType = spec.securityContext?.appArmorProfile?.type;
  const podBad = spec.securityContext?.appArmorProfile !== undefined && !allowedType(podType);
  if (podBad) badValues.add(podType ?? "");
  const badContainers: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = c.securityContext?.appArmorProfile;
    if (profile && !allowedType(profile.type)) {
      badContainers.push(c.name);
      badValues.add(profile.type ?? "");
    }
  }
  const annotations = Object.entries(metadata.annotations ?? {})
    .filter(([key, value]) => key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !(value === "" || value === "runtime/default" || value.startsWith("localhost/")))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .sort();
  const badList = [...sortedSet(badValues), ...annotations];
  let who = setters(podBad, badContainers);
  if (annotations.length > 0) who = [who, pluralize("annotation", "annotations", annotations.length)].filter(Boolean).join(" and ");
  if (!who) return ALLOWED;
  return forbidden(pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", badList.length), `${who} must not set AppArmor profile type to ${joinQuote(badList)}`);
}

function capabilitiesBaseline(_: PodMetadata, spec: PodSpec) {
  const badContainers: string[] = [];
  const added = new Set<string>();
  for (const c of containersOf(spec)) {
    const extra = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !DEFAULT_CAPABILITIES.has(cap));
    if (extra.length === 0) continue;
    badContainers.push(c.name);
    for (const cap of extra) added.add(cap);
  }
  if (badContainers.length === 0) return ALLOWED;
  return forbidden("non-default capabilities", `${namedContainers(badContainers)} must not include ${joinQuote(sortedSet(added))} in securityContext.capabilities.add`);
}

function hostNamespaces(_: PodMetadata, spec: PodSpec) {
  const used = [spec.hostNetwork && "hostNetwork=true", spec.hostPID && "hostPID=true", spec.hostIPC && "hostIPC=true"].filter((s): s is string => typeof s === "string");
  return used.length === 0 ? ALLOWED : forbidden("host namespaces", used.join(", "));
}

function hostPathVolumes(_: PodMetadata, spec: PodSpec) {
  const names = (spec.volumes ?? []).filter((v) => v.hostPath !== undefined && v.hostPath !== null).map((v) => v.name);
  return names.length === 0 ? ALLOWED : forbidden("hostPath volumes", `${pluralize("volume", "volumes", names.length)} ${joinQuote(names)}`);
}

function hostPorts(_: PodMetadata, spec: PodSpec) {
  const badContainers: string[] = [];
  const ports = new Set<string>();
  for (const c of containersOf(spec)) {
    const used = (c.ports ?? []).filter((p) => (p.hostPort ?? 0) !== 0).map((p) => String(p.hostPort));
    if (used.length === 0) continue;
    badContainers.push(c.name);
    for (const port of used) ports.add(port);
  }
  if (badContainers.length === 0) return ALLOWED;
  const list = sortedSet(ports);
  return forbidden("hostPort", `${namedContainers(badContainers)} ${pluralize("uses", "use", badContainers.length)} ${pluralize("hostPort", "hostPorts", list.length)} ${list.join(", ")}`);
}

function privileged(_: PodMetadata, spec: PodSpec) {
  const names = [...containersOf(spec)].filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
  return names.length === 0 ? ALLOWED : forbidden("privileged", `${namedContainers(names)} must not set securityContext.privileged=true`);
}

function procMount(_: PodMetadata, spec: PodSpec) {
  const badContainers: string[] = [];
  const types = new Set<string>();
  for (const c of containersOf(spec)) {
    const mount = c.securityContext?.procMount;
    if (mount === undefined || mount === "Default") continue;
    badContainers.push(c.name);
    types.add(mount);
  }
  if (badContainers.length === 0) return ALLOWED;
  return forbidden("procMount", `${namedContainers(badContainers)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`);
}

function seLinuxOptions(allowedTypes: readonly string[]) {
  return (_: PodMetadata, spec: PodSpec) => {
    const badTypes = new Set<string>();
    let setUser = false;
    let setRole = false;
    const valid = (opts: { type?: string; user?: string; role?: string }) => {
      let ok = true;
      if (!allowedTypes.includes(opts.type ?? "")) {
        ok = false;
        badTypes.add(opts.type ?? "");
      }
      if (opts.user) [ok, setUser] = [false, true];
      if (opts.role) [ok, setRole] = [false, true];
      return ok;
    };
    const podOptions = spec.securityContext?.seLinuxOptions;
    const podBad = podOptions !== undefined && !valid(podOptions);
    const badContainers = [...containersOf(spec)].filter((c) => c.securityContext?.seLinuxOptions && !valid(c.securityContext.seLinuxOptions)).map((c) => c.name);
    if (!podBad && badContainers.length === 0) return ALLOWED;
    const data: string[] = [];
    if (badTypes.size > 0) data.push(`${pluralize("type", "types", badTypes.size)} ${joinQuote(sortedSet(badTypes))}`);
    if (setUser) data.push("user may not be set");
    if (setRole) data.push("role may not be set");
    return forbidden("seLinuxOptions", `${setters(podBad, badContainers)} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}`);
  };
}

/** Before v1.19 seccomp was set with annotations. */
function seccompProfileBaselineAnnotations(metadata: PodMetadata, spec: PodSpec) {
  const validValue = (v: string) => v === "runtime/default" || v === "docker/default" || v.startsWith("localhost/");
  const annotations = metadata.annotations ?? {};
  const bad = new Set<string>();
  const podValue = annotations[SECCOMP_POD_ANNOTATION];
  if (podValue !== undefined && !validValue(podValue)) bad.add(`${SECCOMP_POD_ANNOTATION}=${JSON.stringify(podValue)}`);
  for (const c of containersOf(spec)) {
    const key = SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.name;
    const value = annotations[key];
    if (value !== undefined && !validValue(value)) bad.add(`${key}=${JSON.stringify(value)}`);
  }
  if (bad.size === 0) return ALLOWED;
  return forbidden("seccompProfile", `forbidden ${pluralize("annotation", "annotations", bad.size)} ${sortedSet(bad).join(", ")}`);
}

export const validSeccomp = (type: string | undefined) => type === "RuntimeDefault" || type === "Localhost";

function seccompProfileBaseline(_: PodMetadata, spec: PodSpec) {
  const badValues = new Set<string>();
  const podProfile = spec.securityContext?.seccompProfile;
  const podBad = podProfile !== undefined && !validSeccomp(podProfile.type);
  if (podBad) badValues.add(podProfile?.type ?? "");
  const badContainers: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = c.securityContext?.seccompProfile;
    if (profile && !validSeccomp(profile.type)) {
      badContainers.push(c.name);
      badValues.add(profile.type ?? "");
    }
  }
  if (!podBad && badContainers.length === 0) return ALLOWED;
  return forbidden("seccompProfile", `${setters(podBad, badContainers)} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`);
}

function sysctls(allowed: readonly string[]) {
  return (_: PodMetadata, spec: PodSpec) => {
    const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((name) => !allowed.includes(name));
    return bad.length === 0 ? ALLOWED : forbidden("forbidden sysctls", bad.join(", "));
  };
}

function windowsHostProcess(_: PodMetadata, spec: PodSpec) {
  const badContainers = [...containersOf(spec)].filter((c) => c.securityContext?.windowsOptions?.hostProcess === true).map((c) => c.name);
  const podBad = spec.securityContext?.windowsOptions?.hostProcess === true;
  if (!podBad && badContainers.length === 0) return ALLOWED;
  return forbidden("hostProcess", `${setters(podBad, badContainers)} must not set securityContext.windowsOptions.hostProcess=true`);
}

export const BASELINE_CHECKS: Check[] = [
  { id: "appArmorProfile", level: "baseline", versions: [{ minimumMinor: 0, checkPod: appArmorProfile }] },
  { id: CAPABILITIES_BASELINE_ID, level: "baseline", versions: [{ minimumMinor: 0, checkPod: capabilitiesBaseline }] },
  { id: "hostNamespaces", level: "baseline", versions: [{ minimumMinor: 0, checkPod: hostNamespaces }] },
  { id: HOST_PATH_VOLUMES_ID, level: "baseline", versions: [{ minimumMinor: 0, checkPod: hostPathVolumes }] },
  { id: "hostPorts", level: "baseline", versions: [{ minimumMinor: 0, checkPod: hostPorts }] },
  { id: "privileged", level: "baseline", versions: [{ minimumMinor: 0, checkPod: privileged }] },
  { id: "procMount", level: "baseline", versions: [{ minimumMinor: 0, checkPod: procMount }] },
  { id: "seLinuxOptions", level: "baseline", versions: [{ minimumMinor: 0, checkPod: seLinuxOptions(SELINUX_TYPES_1_0) }, { minimumMinor: 31, checkPod: seLinuxOptions(SELINUX_TYPES_1_31) }] },
  { id: SECCOMP_BASELINE_ID, level: "baseline", versions: [{ minimumMinor: 0, checkPod: seccompProfileBaselineAnnotations }, { minimumMinor: 19, checkPod: seccompProfileBaseline }] },
  {
    id: "sysctls",
    level: "baseline",
    versions: [
      { minimumMinor: 0, checkPod: sysctls(SAFE_SYSCTLS_1_0) },
      { minimumMinor: 27, checkPod: sysctls(SAFE_SYSCTLS_1_27) },
      { minimumMinor: 29, checkPod: sysctls(SAFE_SYSCTLS_1_29) },
      { minimumMinor: 32, checkPod: sysctls(SAFE_SYSCTLS_1_32) },
    ],
  },
  { id: "windowsHostProcess", level: "baseline", versions: [{ minimumMinor: 0, checkPod: windowsHostProcess }] },
];
