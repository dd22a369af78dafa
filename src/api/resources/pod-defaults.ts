// Pod defaulting as upstream's SetDefaults_* for core/v1 (v1.32). SetDefaults_PodSpec and the
// container, probe, volume and port defaults apply to every PodSpec (pods and the templates of
// workloads); SetDefaults_Pod (requests from limits, enableServiceLinks, host-network ports) only
// to Pods, so templates store no enableServiceLinks, as upstream's do.
import { defaultPersistentVolumeClaimSpec } from "./claim-defaults.js";
import { normalizeResourceList } from "./resource-lists.js";
import { defaultString, defaultValue, ensureRecord, isRecord, recordAt, recordsAt, stringAt, type JsonRecord } from "./object-fields.js";

/** Defaults of any PodSpec (SetDefaults_PodSpec plus the defaults of everything inside it). */
export function defaultPodSpec(spec: JsonRecord): void {
  defaultString(spec, "dnsPolicy", "ClusterFirst");
  defaultString(spec, "restartPolicy", "Always");
  defaultValue(spec, "securityContext", {});
  defaultValue(spec, "terminationGracePeriodSeconds", 30);
  defaultString(spec, "schedulerName", "default-scheduler");
  for (const list of ["containers", "initContainers", "ephemeralContainers"]) {
    for (const container of recordsAt(spec, list)) defaultContainer(container);
  }
  for (const volume of recordsAt(spec, "volumes")) defaultVolume(volume);
  normalizeResourceList(recordAt(spec, "overhead"));
}

/** The defaults of a pod template (its spec; template metadata has none). */
export function defaultPodTemplateSpec(template: JsonRecord): void {
  defaultPodSpec(ensureRecord(template, "spec"));
}

/** SetDefaults_Pod on top of the PodSpec defaults. */
export function defaultPod(pod: JsonRecord): void {
  const spec = ensureRecord(pod, "spec");
  defaultPodSpec(spec);
  for (const list of ["containers", "initContainers"]) {
    for (const container of recordsAt(spec, list)) defaultRequestsFromLimits(container);
  }
  defaultValue(spec, "enableServiceLinks", true);
  if (spec.hostNetwork === true) {
    for (const list of ["containers", "initContainers"]) {
      for (const container of recordsAt(spec, list)) defaultHostPorts(container);
    }
  }
}

/** SetDefaults_Container, plus the defaults of its ports, probes, lifecycle handlers and env. */
export function defaultContainer(container: JsonRecord): void {
  if (!stringAt(container, "imagePullPolicy")) container.imagePullPolicy = imageTag(stringAt(container, "image") ?? "") === "latest" ? "Always" : "IfNotPresent";
  defaultString(container, "terminationMessagePath", "/dev/termination-log");
  defaultString(container, "terminationMessagePolicy", "File");
  for (const port of recordsAt(container, "ports")) defaultString(port, "protocol", "TCP");
  normalizeResourceList(recordAt(container, "resources", "limits"));
  normalizeResourceList(recordAt(container, "resources", "requests"));
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const found = recordAt(container, probe);
    if (found) defaultProbe(found);
  }
  for (const hook of ["postStart", "preStop"]) {
    const handler = recordAt(container, "lifecycle", hook);
    if (handler) defaultHandler(handler);
  }
  for (const env of recordsAt(container, "env")) {
    const fieldRef = recordAt(env, "valueFrom", "fieldRef");
    if (fieldRef) defaultString(fieldRef, "apiVersion", "v1");
  }
}

/** SetDefaults_Probe: zero values count as unset, as in Go. */
function defaultProbe(probe: JsonRecord): void {
  for (const [field, value] of [["timeoutSeconds", 1], ["periodSeconds", 10], ["successThreshold", 1], ["failureThreshold", 3]] as const) {
    if (!probe[field]) probe[field] = value;
  }
  defaultHandler(probe);
}

/** SetDefaults_HTTPGetAction and the GRPCAction service default of a probe or lifecycle handler. */
function defaultHandler(handler: JsonRecord): void {
  const httpGet = recordAt(handler, "httpGet");
  if (httpGet) {
    defaultString(httpGet, "path", "/");
    defaultString(httpGet, "scheme", "HTTP");
  }
  const grpc = recordAt(handler, "grpc");
  if (grpc) defaultValue(grpc, "service", "");
}

const VOLUME_SOURCES_WITH_MODE = ["secret", "configMap", "downwardAPI", "projected"] as const;

/** SetDefaults_Volume and the defaults of its source (file modes 0644, token expiry one hour). */
export function defaultVolume(volume: JsonRecord): void {
  const sources = Object.keys(volume).filter((k) => k !== "name" && isRecord(volume[k]));
  if (sources.length === 0) volume.emptyDir = {};
  for (const source of VOLUME_SOURCES_WITH_MODE) {
    const found = recordAt(volume, source);
    if (found) defaultValue(found, "defaultMode", 420);
  }
  for (const item of [...recordsAt(volume, "downwardAPI", "items"), ...projectedDownwardItems(volume)]) {
    const fieldRef = recordAt(item, "fieldRef");
    if (fieldRef) defaultString(fieldRef, "apiVersion", "v1");
  }
  for (const source of recordsAt(volume, "projected", "sources")) {
    const token = recordAt(source, "serviceAccountToken");
    if (token) defaultValue(token, "expirationSeconds", 3600);
  }
  const hostPath = recordAt(volume, "hostPath");
  if (hostPath) defaultValue(hostPath, "type", "");
  const claimSpec = recordAt(volume, "ephemeral", "volumeClaimTemplate", "spec");
  if (claimSpec) defaultPersistentVolumeClaimSpec(claimSpec);
}

function projectedDownwardItems(volume: JsonRecord): JsonRecord[] {
  return recordsAt(volume, "projected", "sources").flatMap((s) => recordsAt(s, "downwardAPI", "items"));
}

/** Requests default to limits for each resource with a limit and no request (pods only). */
function defaultRequestsFromLimits(container: JsonRecord): void {
  const limits = recordAt(container, "resources", "limits");
  if (!limits) return;
  const requests = ensureRecord(ensureRecord(container, "resources"), "requests");
  for (const [name, value] of Object.entries(limits)) defaultValue(requests, name, value);
}

/** With host networking every container port is also a host port. */
function defaultHostPorts(container: JsonRecord): void {
  for (const port of recordsAt(container, "ports")) {
    if (!port.hostPort) port.hostPort = port.containerPort;
  }
}

/**
 * The tag of an image reference as upstream's parsers.ParseImageName sees it: "latest" when there
 * is neither tag nor digest, "" when the reference has only a digest or does not parse.
 */
export function imageTag(image: string): string {
  if (image === "" || image !== image.trim()) return "";
  const [name, digest] = image.split("@", 2) as [string, string | undefined];
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  const repository = colon >= 0 ? name.slice(0, colon) : name;
  if (!isValidRepository(repository, lastSlash)) return "";
  if (colon >= 0) return name.slice(colon + 1);
  return digest === undefined ? "latest" : "";
}

/** Docker references need a lower-case path; only the registry host (first component with '.' or ':') may differ. */
function isValidRepository(repository: string, lastSlash: number): boolean {
  const components = repository.split("/");
  const first = components[0] ?? "";
  const hasHost = lastSlash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const path = hasHost ? components.slice(1) : components;
  return path.length > 0 && path.every((c) => /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/.test(c));
}
