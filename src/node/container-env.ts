// A container's environment as the kubelet builds it (makeEnvironmentVariables): envFrom sources
// first, in order, then env entries, each of which may use $(VAR) references to variables defined
// before it; values from ConfigMaps and Secrets, the downward API (fieldRef) and the container's
// resources (resourceFieldRef). A missing ConfigMap, Secret or key that is not optional is a
// CreateContainerConfigError whose message names what is missing, as upstream words it.
import type { KubeObject } from "../api/resource.js";
import { Quantity } from "../api/quantity.js";
import type { ContainerSpec, EnvVar, Pod } from "./pod-types.js";
import { serviceEnvironment, servicesForPod } from "./service-env.js";

/** The container cannot be configured yet; the pod waits with this reason and message. */
export class ContainerConfigError extends Error {
  readonly reason = "CreateContainerConfigError";
}

/** Reads ConfigMaps and Secrets of the pod's namespace; undefined when absent. */
export interface ConfigSource {
  configMap(namespace: string, name: string): Promise<KubeObject | undefined>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
  /** The Services of `namespace` and `default` (for their environment variables); none when absent. */
  services?(namespace: string): readonly KubeObject[];
}

export interface EnvContext {
  pod: Pod;
  container: ContainerSpec;
  hostIP: string;
  podIPs: string[];
  /** The node's allocatable resources, what resourceFieldRef reports for a container without limits. */
  nodeAllocatable: Record<string, string>;
  config: ConfigSource;
}

export async function containerEnvironment(context: EnvContext): Promise<{ name: string; value: string }[]> {
  const env = new Map<string, string>();
  const namespace = context.pod.metadata?.namespace ?? "default";
  const serviceLinks = (context.pod.spec as { enableServiceLinks?: boolean } | undefined)?.enableServiceLinks !== false;
  const services = serviceEnvironment(servicesForPod(context.config.services?.(namespace) ?? [], namespace, serviceLinks));
  // $(VAR) references see the container's variables defined so far and the Services' (upstream's mapping function).
  const scope = new Map(services);
  for (const source of context.container.envFrom ?? []) {
    const data = await envFromData(context, namespace, source);
    for (const [key, value] of Object.entries(data)) {
      env.set(`${source.prefix ?? ""}${key}`, value);
      scope.set(`${source.prefix ?? ""}${key}`, value);
    }
  }
  for (const variable of context.container.env ?? []) {
    const value = await envValue(context, namespace, variable, scope);
    if (value === undefined) continue;
    env.set(variable.name, value);
    scope.set(variable.name, value);
  }
  for (const [name, value] of services) if (!env.has(name)) env.set(name, value);
  return [...env].map(([name, value]) => ({ name, value }));
}

/** Expands $(VAR) references as upstream's expansion does: `$$` escapes, unknown references stay as written. */
export function expandReferences(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && env.has(name) ? env.get(name)! : match;
  });
}

async function envFromData(context: EnvContext, namespace: string, source: NonNullable<ContainerSpec["envFrom"]>[number]): Promise<Record<string, string>> {
  if (source.configMapRef) {
    const cm = await context.config.configMap(namespace, source.configMapRef.name);
    if (!cm) return missing(source.configMapRef.optional, `configmap "${source.configMapRef.name}" not found`);
    return { ...((cm.data as Record<string, string>) ?? {}) };
  }
  if (source.secretRef) {
    const secret = await context.config.secret(namespace, source.secretRef.name);
    if (!secret) return missing(source.secretRef.optional, `secret "${source.secretRef.name}" not found`);
    return decodeSecretData(secret);
  }
  return {};
}

async function envValue(context: EnvContext, namespace: string, variable: EnvVar, env: Map<string, string>): Promise<string | undefined> {
  if (variable.value !== undefined || !variable.valueFrom) return expandReferences(variable.value ?? "", env);
  const from = variable.valueFrom;
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const cm = await context.config.configMap(namespace, ref.name);
    if (!cm) return missingValue(ref.optional, `configmap "${ref.name}" not found`);
    const data = (cm.data as Record<string, string> | undefined) ?? {};
    if (!(ref.key in data)) return missingValue(ref.optional, `couldn't find key ${ref.key} in ConfigMap ${namespace}/${ref.name}`);
    return data[ref.key];
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const secret = await context.config.secret(namespace, ref.name);
    if (!secret) return missingValue(ref.optional, `secret "${ref.name}" not found`);
    const data = decodeSecretData(secret);
    if (!(ref.key in data)) return missingValue(ref.optional, `couldn't find key ${ref.key} in Secret ${namespace}/${ref.name}`);
    return data[ref.key];
  }
  if (from.fieldRef) return podFieldValue(context, from.fieldRef.fieldPath);
  if (from.resourceFieldRef) return resourceFieldValue(context, from.resourceFieldRef);
  return "";
}

function missing(optional: boolean | undefined, message: string): Record<string, string> {
  if (optional) return {};
  throw new ContainerConfigError(message);
}

function missingValue(optional: boolean | undefined, message: string): undefined {
  if (optional) return undefined;
  throw new ContainerConfigError(message);
}

function decodeSecretData(secret: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries((secret.data as Record<string, string> | undefined) ?? {})) out[key] = Buffer.from(value, "base64").toString("utf8");
  for (const [key, value] of Object.entries((secret.stringData as Record<string, string> | undefined) ?? {})) out[key] = value;
  return out;
}

/** The downward API's pod fields (upstream's podFieldSelectorRuntimeValue). */
export function podFieldValue(context: Pick<EnvContext, "pod" | "hostIP" | "podIPs">, fieldPath: string): string {
  const meta = context.pod.metadata ?? {};
  const mapEntry = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (mapEntry) return ((mapEntry[1] === "labels" ? meta.labels : meta.annotations) ?? {})[mapEntry[2]!] ?? "";
  switch (fieldPath) {
    case "metadata.name":
      return meta.name ?? "";
    case "metadata.namespace":
      return meta.namespace ?? "";
    case "metadata.uid":
      return meta.uid ?? "";
    case "metadata.labels":
      return formatMap(meta.labels);
    case "metadata.annotations":
      return formatMap(meta.annotations);
    case "spec.nodeName":
      return context.pod.spec.nodeName ?? "";
    case "spec.serviceAccountName":
      return context.pod.spec.serviceAccountName ?? "";
    case "status.hostIP":
    case "status.hostIPs":
      return context.hostIP;
    case "status.podIP":
      return context.podIPs[0] ?? "";
    case "status.podIPs":
      return context.podIPs.join(",");
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}="${map![key]}"`)
    .join("\n");
}

/** limits.cpu, requests.memory, ...: the container's value, or the node's allocatable for an unset limit, over the divisor, rounded up. */
function resourceFieldValue(context: EnvContext, ref: NonNullable<EnvVar["valueFrom"]>["resourceFieldRef"] & {}): string {
  const target = ref.containerName ? [...context.pod.spec.containers, ...(context.pod.spec.initContainers ?? [])].find((c) => c.name === ref.containerName) : context.container;
  const [kind, resource] = ref.resource.split(".", 2) as [string, string];
  const resources = target?.resources ?? {};
  let quantity = (kind === "limits" ? resources.limits : resources.requests)?.[resource];
  if (quantity === undefined) quantity = kind === "limits" ? context.nodeAllocatable[resource] : resource === "cpu" || resource === "memory" ? 0 : undefined;
  if (quantity === undefined) return "0";
  const divisor = Quantity.fromJSON(ref.divisor ?? (resource === "cpu" ? "1" : "1"));
  const value = Quantity.fromJSON(quantity);
  // upstream: ceil(value / divisor), computed in milli-units to keep cpu exact.
  return String(Math.ceil(value.milliValue() / divisor.milliValue()));
}
