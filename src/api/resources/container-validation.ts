// Container validation as upstream core validation (v1.32) words it: names (DNS-1123 labels, unique
// across init and regular containers), image, pull and termination-message policies, ports, env
// names, volume mounts, probes, resources, and restartPolicy (only init containers may set it).
import { duplicate, forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Label } from "../validation/names.js";
import type { FieldPath } from "./field-path.js";
import { isEnvVarName, isValidPortName, isValidPortNum } from "./formats.js";
import { isRecord, numberAt, recordAt, recordsAt, stringAt, type JsonRecord } from "./object-fields.js";
import { validateContainerResources } from "./resource-lists.js";

export type ContainerKind = "containers" | "initContainers";

export interface ContainerScope {
  kind: ContainerKind;
  /** Names already taken in the pod (regular containers are checked first, as upstream does). */
  names: Set<string>;
  /** Volume names declared by the pod. */
  volumes: Set<string>;
}

const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const TERMINATION_MESSAGE_POLICIES = ["File", "FallbackToLogsOnError"];
const PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"];
const PROBE_HANDLERS = ["exec", "httpGet", "tcpSocket", "grpc"];

export function validateContainers(containers: JsonRecord[], scope: ContainerScope, p: FieldPath): FieldError[] {
  return containers.flatMap((container, i) => validateContainer(container, scope, p.index(i)));
}

function validateContainer(container: JsonRecord, scope: ContainerScope, p: FieldPath): FieldError[] {
  return [
    ...validateContainerName(stringAt(container, "name") ?? "", scope.names, p.child("name")),
    ...validateImage(stringAt(container, "image"), p.child("image")),
    ...validatePolicy(container.imagePullPolicy, PULL_POLICIES, p.child("imagePullPolicy")),
    ...validatePolicy(container.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES, p.child("terminationMessagePolicy")),
    ...validateContainerRestartPolicy(container, scope.kind, p.child("restartPolicy")),
    ...validatePorts(recordsAt(container, "ports"), p.child("ports")),
    ...validateEnv(recordsAt(container, "env"), p.child("env")),
    ...validateVolumeMounts(recordsAt(container, "volumeMounts"), scope.volumes, p.child("volumeMounts")),
    ...["livenessProbe", "readinessProbe", "startupProbe"].flatMap((probe) => validateProbe(recordAt(container, probe), p.child(probe))),
    ...validateContainerResources(container.resources, p.child("resources")),
  ];
}

function validateContainerName(name: string, taken: Set<string>, p: FieldPath): FieldError[] {
  if (name === "") return [required(`${p}`)];
  const errs = isDNS1123Label(name).map((msg) => invalid(`${p}`, name, msg));
  if (taken.has(name)) errs.push(duplicate(`${p}`, name));
  taken.add(name);
  return errs;
}

/** Required; surrounding whitespace is refused for pods only (validatePodImages), as upstream keeps templates lenient. */
function validateImage(image: string | undefined, p: FieldPath): FieldError[] {
  return image ? [] : [required(`${p}`)];
}

/** upstream validateContainersOnlyForPod: a pod's images may not have surrounding whitespace. */
export function validatePodImages(containers: JsonRecord[], p: FieldPath): FieldError[] {
  return containers.flatMap((container, i) => {
    const image = stringAt(container, "image") ?? "";
    return image !== image.trim() ? [invalid(`${p.index(i).child("image")}`, image, "must not have leading or trailing whitespace")] : [];
  });
}

/** A required enum field (set by defaulting, so absent only when a client cleared it). */
function validatePolicy(value: unknown, supported: string[], p: FieldPath): FieldError[] {
  if (value === undefined || value === "") return [required(`${p}`)];
  return supported.includes(String(value)) ? [] : [notSupported(`${p}`, value, supported)];
}

function validateContainerRestartPolicy(container: JsonRecord, kind: ContainerKind, p: FieldPath): FieldError[] {
  const policy = container.restartPolicy;
  if (policy === undefined) return [];
  if (kind === "containers") return [forbiddenField(`${p}`, "may not be set for non-init containers")];
  return policy === "Always" ? [] : [notSupported(`${p}`, policy, ["Always"])];
}

export function validatePorts(ports: JsonRecord[], p: FieldPath): FieldError[] {
  const names = new Set<string>();
  return ports.flatMap((port, i) => validatePort(port, names, p.index(i)));
}

function validatePort(port: JsonRecord, names: Set<string>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(port, "name");
  if (name) {
    errs.push(...isValidPortName(name).map((msg) => invalid(`${p.child("name")}`, name, msg)));
    if (names.has(name)) errs.push(duplicate(`${p.child("name")}`, name));
    names.add(name);
  }
  const containerPort = numberAt(port, "containerPort") ?? 0;
  if (containerPort === 0) errs.push(required(`${p.child("containerPort")}`));
  else errs.push(...isValidPortNum(containerPort).map((msg) => invalid(`${p.child("containerPort")}`, containerPort, msg)));
  const hostPort = numberAt(port, "hostPort") ?? 0;
  if (hostPort !== 0) errs.push(...isValidPortNum(hostPort).map((msg) => invalid(`${p.child("hostPort")}`, hostPort, msg)));
  errs.push(...validatePolicy(port.protocol, PORT_PROTOCOLS, p.child("protocol")));
  return errs;
}

function validateEnv(env: JsonRecord[], p: FieldPath): FieldError[] {
  return env.flatMap((variable, i) => {
    const name = stringAt(variable, "name") ?? "";
    const at = p.index(i);
    if (name === "") return [required(`${at.child("name")}`)];
    const errs = isEnvVarName(name).map((msg) => invalid(`${at.child("name")}`, name, msg));
    if (isRecord(variable.valueFrom) && stringAt(variable, "value")) {
      errs.push(invalid(`${at.child("valueFrom")}`, "", "may not be specified when `value` is not empty"));
    }
    return errs;
  });
}

function validateVolumeMounts(mounts: JsonRecord[], volumes: Set<string>, p: FieldPath): FieldError[] {
  const paths = new Set<string>();
  return mounts.flatMap((mount, i) => {
    const at = p.index(i);
    const errs: FieldError[] = [];
    const name = stringAt(mount, "name") ?? "";
    if (name === "") errs.push(required(`${at.child("name")}`));
    else if (!volumes.has(name)) errs.push({ type: "FieldValueNotFound", field: `${at.child("name")}`, value: name });
    const mountPath = stringAt(mount, "mountPath") ?? "";
    if (mountPath === "") errs.push(required(`${at.child("mountPath")}`));
    else if (paths.has(mountPath)) errs.push(invalid(`${at.child("mountPath")}`, mountPath, "must be unique"));
    paths.add(mountPath);
    return errs;
  });
}

function validateProbe(probe: JsonRecord | undefined, p: FieldPath): FieldError[] {
  if (!probe) return [];
  const handlers = PROBE_HANDLERS.filter((h) => isRecord(probe[h]));
  const errs: FieldError[] = [];
  if (handlers.length === 0) errs.push(required(`${p}`, "must specify a handler type"));
  else if (handlers.length > 1) errs.push(forbiddenField(`${p.child(handlers[1] ?? "")}`, "may not specify more than 1 handler type"));
  for (const field of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"]) {
    const value = numberAt(probe, field);
    if (value !== undefined && value < 0) errs.push(invalid(`${p.child(field)}`, value, "must be greater than or equal to 0"));
  }
  return errs;
}
