// The Service environment variables the kubelet gives every container (upstream
// pkg/kubelet/envvars FromServices and getServiceEnvVarMap): for each Service of the pod's namespace
// with a cluster IP (unless the pod sets enableServiceLinks: false), and always for the `kubernetes`
// Service in `default`, NAME_SERVICE_HOST, NAME_SERVICE_PORT(_PORTNAME) and the Docker-links style
// NAME_PORT, NAME_PORT_<port>_<proto>(_PROTO|_PORT|_ADDR). In-cluster clients find the API server
// through KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT. Pure.
import type { KubeObject } from "../api/resource.js";
import { numberAt, recordAt, recordsAt, stringAt } from "../api/resources/object-fields.js";

/** The variables for `services`, in upstream's order (later Services do not override earlier ones' names). */
export function serviceEnvironment(services: readonly KubeObject[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const service of services) {
    const spec = recordAt(service, "spec") ?? {};
    const ip = stringAt(spec, "clusterIP");
    if (!ip || ip === "None") continue;
    const name = envName(service.metadata?.name ?? "");
    const ports = recordsAt(spec, "ports");
    const first = ports[0];
    if (!first) continue;
    env.set(`${name}_SERVICE_HOST`, ip);
    env.set(`${name}_SERVICE_PORT`, String(numberAt(first, "port") ?? 0));
    for (const port of ports) {
      const portName = stringAt(port, "name");
      if (portName) env.set(`${name}_SERVICE_PORT_${envName(portName)}`, String(numberAt(port, "port") ?? 0));
    }
    const url = (port: Record<string, unknown>) => `${(stringAt(port, "protocol") ?? "TCP").toLowerCase()}://${ip}:${numberAt(port, "port") ?? 0}`;
    env.set(`${name}_PORT`, url(first));
    for (const port of ports) {
      const protocol = stringAt(port, "protocol") ?? "TCP";
      const prefix = `${name}_PORT_${numberAt(port, "port") ?? 0}_${protocol.toUpperCase()}`;
      env.set(prefix, url(port));
      env.set(`${prefix}_PROTO`, protocol.toLowerCase());
      env.set(`${prefix}_PORT`, String(numberAt(port, "port") ?? 0));
      env.set(`${prefix}_ADDR`, ip);
    }
  }
  return env;
}

/** The Services whose variables a pod in `namespace` gets: its namespace's (with service links), then `default/kubernetes` unless one of those has its name. */
export function servicesForPod(all: readonly KubeObject[], namespace: string, serviceLinks: boolean): KubeObject[] {
  const own = serviceLinks ? all.filter((s) => s.metadata?.namespace === namespace) : [];
  const master = all.find((s) => s.metadata?.namespace === "default" && s.metadata.name === "kubernetes");
  return master && !own.some((s) => s.metadata?.name === "kubernetes") ? [...own, master] : own;
}

/** upstream makeEnvVariableName: upper case, dashes to underscores. */
function envName(name: string): string {
  return name.toUpperCase().replaceAll("-", "_");
}
