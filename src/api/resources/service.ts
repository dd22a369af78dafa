// core/v1 Service: svc, category all, status subresource; SetDefaults_Service (ClusterIP, session
// affinity None, TCP ports with targetPort = port, traffic policies) plus the IP-family fields
// upstream's allocator infers (cluster IP allocation itself is not here); validation; the service
// printer; field selectors spec.clusterIP and spec.type.
import type { KubeObject, ValidationContext } from "../resource.js";
import type { FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { defaultString, defaultValue, ensureRecord, numberAt, recordAt, recordsAt, stringAt, stringMapAt, stringsAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, formatLabels, nameColumn, nameOf, wideColumn } from "./printing.js";
import { stringField } from "./selectable-fields.js";
import { isExternallyAccessible, isHeadless, validateClusterIPsUpdate, validateServiceSpec } from "./service-validation.js";
import { dropTypeDependentFields } from "./service-type-change.js";

const DEFAULT_CLIENT_IP_TIMEOUT = 10800;

export function serviceResource(): ResourceDef {
  const doc = (field: string) => fieldDoc("core.v1.ServiceSpec", field);
  return {
    group: "",
    version: "v1",
    kind: "Service",
    plural: "services",
    singular: "service",
    namespaced: true,
    shortNames: ["svc"],
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    nameValidation: "dns1035",
    defaults: defaultService,
    prepareForCreate: (obj) => {
      obj.status = { loadBalancer: {} };
    },
    prepareForUpdate: (obj, old, { subresource }) => {
      if (subresource === undefined) dropTypeDependentFields(obj, old);
    },
    validate: validateService,
    table: {
      columns: [
        nameColumn(), column("Type", "string", doc("type")), column("Cluster-IP", "string", doc("clusterIP")), column("External-IP", "string", doc("externalIPs")),
        column("Port(s)", "string", doc("ports")), ageColumn(), wideColumn("Selector", "string", doc("selector")),
      ],
      cells: serviceCells,
    },
    fieldSelectors: { "spec.clusterIP": stringField("spec", "clusterIP"), "spec.type": stringField("spec", "type") },
  };
}

export function defaultService(obj: KubeObject): void {
  const spec = ensureRecord(obj, "spec");
  defaultString(spec, "sessionAffinity", "None");
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP" && numberAt(spec, "sessionAffinityConfig", "clientIP", "timeoutSeconds") === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT } };
  }
  defaultString(spec, "type", "ClusterIP");
  for (const port of recordsAt(spec, "ports")) {
    defaultString(port, "protocol", "TCP");
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === "") port.targetPort = port.port;
  }
  if (isExternallyAccessible(spec)) defaultString(spec, "externalTrafficPolicy", "Cluster");
  if (spec.type === "NodePort" || spec.type === "LoadBalancer" || spec.type === "ClusterIP") defaultValue(spec, "internalTrafficPolicy", "Cluster");
  if (spec.type === "LoadBalancer") {
    defaultValue(spec, "allocateLoadBalancerNodePorts", true);
    for (const ingress of recordsAt(obj, "status", "loadBalancer", "ingress")) if (stringAt(ingress, "ip")) defaultValue(ingress, "ipMode", "VIP");
  }
  defaultIPFamilies(spec);
}

/**
 * The cluster-IP fields upstream's service REST storage normalises and infers: clusterIPs from
 * clusterIP, and (not for ExternalName) the IP family policy — RequireDualStack for a headless
 * service without selector, SingleStack otherwise — and families, IPv4 on this single-stack cluster.
 */
function defaultIPFamilies(spec: JsonRecord): void {
  if (spec.type === "ExternalName") return;
  const clusterIP = stringAt(spec, "clusterIP");
  if (clusterIP && stringsAt(spec, "clusterIPs").length === 0) spec.clusterIPs = [clusterIP];
  const headlessWithoutSelector = isHeadless(spec) && Object.keys(stringMapAt(spec, "selector") ?? {}).length === 0;
  defaultValue(spec, "ipFamilyPolicy", headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
  if (stringsAt(spec, "ipFamilies").length === 0) spec.ipFamilies = ["IPv4"];
}

function validateService(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const errs = validateServiceSpec(spec);
  if (context.old) errs.push(...validateClusterIPsUpdate(spec, recordAt(context.old, "spec") ?? {}));
  return errs;
}

function serviceCells(obj: KubeObject, now: Date): unknown[] {
  const spec = recordAt(obj, "spec") ?? {};
  const ports = recordsAt(spec, "ports").map((port) => {
    const nodePort = numberAt(port, "nodePort") ?? 0;
    const protocol = stringAt(port, "protocol") ?? "";
    return nodePort > 0 ? `${numberAt(port, "port") ?? 0}:${nodePort}/${protocol}` : `${numberAt(port, "port") ?? 0}/${protocol}`;
  });
  return [
    nameOf(obj), stringAt(spec, "type") ?? "", stringsAt(spec, "clusterIPs")[0] ?? "<none>", externalIP(obj), ports.join(",") || "<none>", ageOf(obj, now),
    formatLabels(stringMapAt(spec, "selector")),
  ];
}

/** upstream getServiceExternalIP (wide: load-balancer addresses are not clipped). */
function externalIP(obj: KubeObject): string {
  const spec = recordAt(obj, "spec") ?? {};
  const externalIPs = stringsAt(spec, "externalIPs");
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length > 0 ? externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const lb = [...new Set(recordsAt(obj, "status", "loadBalancer", "ingress").map((i) => stringAt(i, "ip") || stringAt(i, "hostname") || "").filter(Boolean))].sort();
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(",");
      return lb.length > 0 ? lb.join(",") : "<pending>";
    }
    case "ExternalName":
      return stringAt(spec, "externalName") ?? "";
    default:
      return "<unknown>";
  }
}
