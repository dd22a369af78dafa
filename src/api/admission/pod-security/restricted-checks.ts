// The Restricted level of the Pod Security Standards: current pod hardening practice. Three of these
// replace a baseline check that reads the same fields (volumes, seccomp, capabilities), as upstream's
// OverrideCheckIDs; Windows pods are spared the Linux-only ones from v1.25 on.
import { CAPABILITIES_BASELINE_ID, HOST_PATH_VOLUMES_ID, SECCOMP_BASELINE_ID, validSeccomp } from "./baseline-checks.js";
import { ALLOWED, type Check, type CheckPod, containersOf, forbidden, isWindows, joinQuote, namedContainers, pluralize, setters, sortedSet, type PodMetadata, type PodSpec } from "./check.js";

/** Inline volume sources the restricted level allows. */
const ALLOWED_VOLUME_SOURCES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"];
/** The other sources, in the order upstream names the first one a volume sets. */
const RESTRICTED_VOLUME_SOURCES = [
  "hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder",
  "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos",
];

const skipWindows = (check: CheckPod): CheckPod => (metadata, spec) => (isWindows(spec) ? ALLOWED : check(metadata, spec));

function allowPrivilegeEscalation(_: PodMetadata, spec: PodSpec) {
  const names = [...containersOf(spec)].filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  return names.length === 0 ? ALLOWED : forbidden("allowPrivilegeEscalation != false", `${namedContainers(names)} must set securityContext.allowPrivilegeEscalation=false`);
}

function capabilitiesRestricted(_: PodMetadata, spec: PodSpec) {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbiddenCaps = new Set<string>();
  for (const c of containersOf(spec)) {
    const caps = c.securityContext?.capabilities;
    if (!caps) {
      missingDropAll.push(c.name);
      continue;
    }
    if (!(caps.drop ?? []).includes("ALL")) missingDropAll.push(c.name);
    const extra = (caps.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
    if (extra.length > 0) {
      addingForbidden.push(c.name);
      for (const cap of extra) forbiddenCaps.add(cap);
    }
  }
  const details: string[] = [];
  if (missingDropAll.length > 0) details.push(`${namedContainers(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length > 0) details.push(`${namedContainers(addingForbidden)} must not include ${joinQuote(sortedSet(forbiddenCaps))} in securityContext.capabilities.add`);
  return details.length === 0 ? ALLOWED : forbidden("unrestricted capabilities", details.join("; "));
}

function restrictedVolumes(_: PodMetadata, spec: PodSpec) {
  const badVolumes: string[] = [];
  const badTypes = new Set<string>();
  for (const volume of spec.volumes ?? []) {
    const sets = (source: string) => volume[source] !== undefined && volume[source] !== null;
    if (ALLOWED_VOLUME_SOURCES.some(sets)) continue;
    badVolumes.push(volume.name);
    badTypes.add(RESTRICTED_VOLUME_SOURCES.find(sets) ?? "unknown");
  }
  if (badVolumes.length === 0) return ALLOWED;
  const types = sortedSet(badTypes);
  return forbidden(
    "restricted volume types",
    `${pluralize("volume", "volumes", badVolumes.length)} ${joinQuote(badVolumes)} ${pluralize("uses", "use", badVolumes.length)} ${pluralize("restricted volume type", "restricted volume types", types.length)} ${joinQuote(types)}`,
  );
}

function runAsNonRoot(_: PodMetadata, spec: PodSpec) {
  const podValue = spec.securityContext?.runAsNonRoot;
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  for (const c of containersOf(spec)) {
    const value = c.securityContext?.runAsNonRoot;
    if (value === false) explicitlyBad.push(c.name);
    else if (value === undefined && podValue !== true) implicitlyBad.push(c.name);
  }
  const who = setters(podValue === false, explicitlyBad);
  if (who) return forbidden("runAsNonRoot != true", `${who} must not set securityContext.runAsNonRoot=false`);
  if (implicitlyBad.length > 0) return forbidden("runAsNonRoot != true", `pod or ${namedContainers(implicitlyBad)} must set securityContext.runAsNonRoot=true`);
  return ALLOWED;
}

function runAsUser(_: PodMetadata, spec: PodSpec) {
  const bad = [...containersOf(spec)].filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name);
  const who = setters(spec.securityContext?.runAsUser === 0, bad);
  return who ? forbidden("runAsUser=0", `${who} must not set runAsUser=0`) : ALLOWED;
}

function seccompProfileRestricted(_: PodMetadata, spec: PodSpec) {
  const badValues = new Set<string>();
  const podProfile = spec.securityContext?.seccompProfile;
  const podBad = podProfile !== undefined && !validSeccomp(podProfile.type);
  if (podBad) badValues.add(podProfile?.type ?? "");
  const podSet = podProfile !== undefined && !podBad;
  const explicitlyBad: string[] = [];
  const implicitlyBad: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = c.securityContext?.seccompProfile;
    if (profile) {
      if (!validSeccomp(profile.type)) {
        explicitlyBad.push(c.name);
        badValues.add(profile.type ?? "");
      }
    } else if (!podSet) {
      implicitlyBad.push(c.name);
    }
  }
  const who = setters(podBad, explicitlyBad);
  if (who) return forbidden("seccompProfile", `${who} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`);
  if (implicitlyBad.length > 0) return forbidden("seccompProfile", `pod or ${namedContainers(implicitlyBad)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  return ALLOWED;
}

export const RESTRICTED_CHECKS: Check[] = [
  { id: "allowPrivilegeEscalation", level: "restricted", versions: [{ minimumMinor: 8, checkPod: allowPrivilegeEscalation }, { minimumMinor: 25, checkPod: skipWindows(allowPrivilegeEscalation) }] },
  {
    id: "capabilities_restricted",
    level: "restricted",
    versions: [
      { minimumMinor: 22, checkPod: capabilitiesRestricted, overrides: [CAPABILITIES_BASELINE_ID] },
      { minimumMinor: 25, checkPod: skipWindows(capabilitiesRestricted), overrides: [CAPABILITIES_BASELINE_ID] },
    ],
  },
  { id: "restrictedVolumes", level: "restricted", versions: [{ minimumMinor: 0, checkPod: restrictedVolumes, overrides: [HOST_PATH_VOLUMES_ID] }] },
  { id: "runAsNonRoot", level: "restricted", versions: [{ minimumMinor: 0, checkPod: runAsNonRoot }] },
  { id: "runAsUser", level: "restricted", versions: [{ minimumMinor: 23, checkPod: runAsUser }] },
  {
    id: "seccompProfile_restricted",
    level: "restricted",
    versions: [
      { minimumMinor: 19, checkPod: seccompProfileRestricted, overrides: [SECCOMP_BASELINE_ID] },
      { minimumMinor: 25, checkPod: skipWindows(seccompProfileRestricted), overrides: [SECCOMP_BASELINE_ID] },
    ],
  },
];
