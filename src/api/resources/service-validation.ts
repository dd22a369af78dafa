// Service validation as upstream core ValidateService / ValidateServiceUpdate (v1.32): ports (names,
// numbers, protocols, target ports, duplicates), type rules (headless, ExternalName, nodePort),
// session affinity, cluster IPs and IP families, traffic policies, and cluster IPs that may not
// change once set.
import { duplicate, forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { validateLabelMap } from "../label-selector.js";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from "../validation/names.js";
import { path, type FieldPath } from "./field-path.js";
import { isValidIP, isValidPortName, isValidPortNum } from "./formats.js";
import { numberAt, recordAt, recordsAt, stringAt, stringMapAt, stringsAt, type JsonRecord } from "./object-fields.js";

const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const AFFINITIES = ["ClientIP", "None"];
const IP_FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"];
const IP_FAMILIES = ["IPv4", "IPv6"];
const TRAFFIC_POLICIES = ["Cluster", "Local"];

export function isHeadless(spec: JsonRecord): boolean {
  return stringAt(spec, "clusterIP") === "None";
}

/** upstream service.ExternallyAccessible. */
export function isExternallyAccessible(spec: JsonRecord): boolean {
  const type = spec.type;
  return type === "LoadBalancer" || type === "NodePort" || (type === "ClusterIP" && stringsAt(spec, "externalIPs").length > 0);
}

export function validateServiceSpec(spec: JsonRecord): FieldError[] {
  const p = path("spec");
  const ports = recordsAt(spec, "ports");
  const errs: FieldError[] = [];
  if (ports.length === 0 && !isHeadless(spec) && spec.type !== "ExternalName") errs.push(required(`${p.child("ports")}`));
  errs.push(...validateTypeRules(spec, p));
  const names = new Set<string>();
  ports.forEach((port, i) => errs.push(...validateServicePort(port, ports.length > 1, names, p.child("ports").index(i))));
  errs.push(...validateLabelMap(stringMapAt(spec, "selector") ?? {}, `${p.child("selector")}`));
  errs.push(...validateSessionAffinity(spec, p));
  errs.push(...validateClusterIPs(spec, p));
  stringsAt(spec, "externalIPs").forEach((ip, i) => errs.push(...isValidIP(ip).map((msg) => invalid(`${p.child("externalIPs").index(i)}`, ip, msg))));
  if (!spec.type) errs.push(required(`${p.child("type")}`));
  else if (!SERVICE_TYPES.includes(String(spec.type))) errs.push(notSupported(`${p.child("type")}`, spec.type, SERVICE_TYPES));
  errs.push(...validateNodePorts(spec, ports, p.child("ports")));
  errs.push(...validateDuplicatePorts(ports, p.child("ports")));
  errs.push(...validateTrafficPolicies(spec, p));
  return errs;
}

function validateTypeRules(spec: JsonRecord, p: FieldPath): FieldError[] {
  const first = stringsAt(spec, "clusterIPs")[0] ?? stringAt(spec, "clusterIP");
  switch (spec.type) {
    case "LoadBalancer":
    case "NodePort":
      return isHeadless(spec) ? [invalid(`${p.child("clusterIPs").index(0)}`, first, `may not be set to 'None' for ${spec.type} services`)] : [];
    case "ExternalName":
      return validateExternalName(spec, p);
    default:
      return [];
  }
}

function validateExternalName(spec: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (stringsAt(spec, "clusterIPs").length > 0) errs.push(forbiddenField(`${p.child("clusterIPs")}`, "may not be set for ExternalName services"));
  if (stringsAt(spec, "ipFamilies").length > 0) errs.push(forbiddenField(`${p.child("ipFamilies")}`, "may not be set for ExternalName services"));
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbiddenField(`${p.child("ipFamilyPolicy")}`, "may not be set for ExternalName services"));
  const cname = (stringAt(spec, "externalName") ?? "").replace(/\.$/, "");
  if (cname === "") errs.push(required(`${p.child("externalName")}`));
  else errs.push(...isDNS1123Subdomain(cname).map((msg) => invalid(`${p.child("externalName")}`, cname, msg)));
  return errs;
}

function validateServicePort(port: JsonRecord, requireName: boolean, names: Set<string>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(port, "name") ?? "";
  if (requireName && name === "") errs.push(required(`${p.child("name")}`));
  else if (name !== "") {
    errs.push(...isDNS1123Label(name).map((msg) => invalid(`${p.child("name")}`, name, msg)));
    if (names.has(name)) errs.push(duplicate(`${p.child("name")}`, name));
    names.add(name);
  }
  const number = numberAt(port, "port") ?? 0;
  errs.push(...isValidPortNum(number).map((msg) => invalid(`${p.child("port")}`, number, msg)));
  if (!port.protocol) errs.push(required(`${p.child("protocol")}`));
  else if (!PROTOCOLS.includes(String(port.protocol))) errs.push(notSupported(`${p.child("protocol")}`, port.protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(port.targetPort, p.child("targetPort")));
  const appProtocol = stringAt(port, "appProtocol");
  if (appProtocol !== undefined) errs.push(...isQualifiedName(appProtocol).map((msg) => invalid(`${p.child("appProtocol")}`, appProtocol, msg)));
  return errs;
}

/** upstream ValidatePortNumOrName. */
export function validatePortNumOrName(value: unknown, p: FieldPath): FieldError[] {
  if (typeof value === "number") return isValidPortNum(value).map((msg) => invalid(`${p}`, value, msg));
  if (typeof value === "string") return isValidPortName(value).map((msg) => invalid(`${p}`, value, msg));
  return [];
}

function validateSessionAffinity(spec: JsonRecord, p: FieldPath): FieldError[] {
  const affinity = spec.sessionAffinity;
  if (!affinity) return [required(`${p.child("sessionAffinity")}`)];
  if (!AFFINITIES.includes(String(affinity))) return [notSupported(`${p.child("sessionAffinity")}`, affinity, AFFINITIES)];
  const config = recordAt(spec, "sessionAffinityConfig");
  if (affinity === "None") return config ? [forbiddenField(`${p.child("sessionAffinityConfig")}`, "must not be set when session affinity is None")] : [];
  const timeout = numberAt(config, "clientIP", "timeoutSeconds");
  const at = p.child("sessionAffinityConfig", "clientIP", "timeoutSeconds");
  if (timeout === undefined) return [required(`${at}`)];
  return timeout <= 0 || timeout > 86400 ? [invalid(`${at}`, timeout, "must be greater than 0 and less than 86400")] : [];
}

function validateClusterIPs(spec: JsonRecord, p: FieldPath): FieldError[] {
  if (spec.type === "ExternalName") return [];
  const errs: FieldError[] = [];
  const clusterIP = stringAt(spec, "clusterIP") ?? "";
  const clusterIPs = stringsAt(spec, "clusterIPs");
  if (clusterIP !== "" && clusterIPs.length > 0 && clusterIPs[0] !== clusterIP) {
    errs.push(invalid(`${p.child("clusterIPs")}`, clusterIPs, "first value must match `clusterIP`"));
  }
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === "None") return;
    if (isValidIP(ip).length > 0) errs.push(invalid(`${p.child("clusterIPs").index(i)}`, ip, "must be empty, 'None', or a valid IP address"));
  });
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && policy !== null && !IP_FAMILY_POLICIES.includes(String(policy))) errs.push(notSupported(`${p.child("ipFamilyPolicy")}`, policy, IP_FAMILY_POLICIES));
  const seen = new Set<string>();
  stringsAt(spec, "ipFamilies").forEach((family, i) => {
    if (!IP_FAMILIES.includes(family)) errs.push(notSupported(`${p.child("ipFamilies").index(i)}`, family, IP_FAMILIES));
    else if (seen.has(family)) errs.push(duplicate(`${p.child("ipFamilies").index(i)}`, family));
    seen.add(family);
  });
  return errs;
}

function validateNodePorts(spec: JsonRecord, ports: JsonRecord[], p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  ports.forEach((port, i) => {
    const nodePort = numberAt(port, "nodePort") ?? 0;
    if (nodePort === 0) return;
    if (spec.type === "ClusterIP") errs.push(forbiddenField(`${p.index(i).child("nodePort")}`, "may not be used when `type` is 'ClusterIP'"));
    const key = `${String(port.protocol)}/${nodePort}`;
    if (seen.has(key)) errs.push(duplicate(`${p.index(i).child("nodePort")}`, nodePort));
    seen.add(key);
  });
  return errs;
}

function validateDuplicatePorts(ports: JsonRecord[], p: FieldPath): FieldError[] {
  const seen = new Set<string>();
  return ports.flatMap((port, i) => {
    const key = `${String(port.protocol)}/${String(port.port)}`;
    const found = seen.has(key);
    seen.add(key);
    return found ? [duplicate(`${p.index(i)}`, { port: port.port, protocol: port.protocol })] : [];
  });
}

function validateTrafficPolicies(spec: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const external = spec.externalTrafficPolicy;
  if (!isExternallyAccessible(spec)) {
    if (external) errs.push(invalid(`${p.child("externalTrafficPolicy")}`, external, "may only be set for externally-accessible services"));
  } else if (!external) {
    errs.push(required(`${p.child("externalTrafficPolicy")}`));
  } else if (!TRAFFIC_POLICIES.includes(String(external))) {
    errs.push(notSupported(`${p.child("externalTrafficPolicy")}`, external, TRAFFIC_POLICIES));
  }
  const internal = spec.internalTrafficPolicy;
  if (!internal) {
    if (spec.type === "ClusterIP" || spec.type === "NodePort" || spec.type === "LoadBalancer") errs.push(required(`${p.child("internalTrafficPolicy")}`));
  } else if (!TRAFFIC_POLICIES.includes(String(internal))) {
    errs.push(notSupported(`${p.child("internalTrafficPolicy")}`, internal, TRAFFIC_POLICIES));
  }
  return errs;
}

/**
 * upstream validateUpgradeDowngradeClusterIPs. A request without cluster IPs keeps the allocated
 * ones (upstream's REST update copies them from the old object first), so it is not a change.
 */
export function validateClusterIPsUpdate(spec: JsonRecord, oldSpec: JsonRecord): FieldError[] {
  if (spec.type === "ExternalName" || oldSpec.type === "ExternalName") return [];
  if (isHeadless(spec) && isHeadless(oldSpec)) return [];
  const next = clusterIPsOf(spec);
  const previous = clusterIPsOf(oldSpec);
  if (next.length === 0) return [];
  const at = (i: number) => `${path("spec", "clusterIPs").index(i)}`;
  if (next.length === previous.length) return previous.flatMap((ip, i) => (ip !== next[i] ? [invalid(at(i), next, "may not change once set")] : []));
  const errs: FieldError[] = [];
  if (previous.length > 0 && next[0] !== previous[0]) errs.push(invalid(at(0), next, "may not change once set"));
  if (previous.length > next.length && next.length === 1 && spec.ipFamilyPolicy !== "SingleStack") {
    errs.push(invalid(at(0), next, "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
  }
  return errs;
}

function clusterIPsOf(spec: JsonRecord): string[] {
  const ips = stringsAt(spec, "clusterIPs");
  if (ips.length > 0) return ips;
  const ip = stringAt(spec, "clusterIP");
  return ip ? [ip] : [];
}
