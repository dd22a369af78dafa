// networking.k8s.io/v1 Ingress: ing, status subresource; rules, paths and backends validated with
// upstream's messages; NAME CLASS HOSTS ADDRESS PORTS AGE.
import { isIP } from "node:net";
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1035Label, isDNS1123Subdomain, isWildcardDNS1123Subdomain } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { path, type FieldPath } from "./field-path.js";
import { isValidPortName, isValidPortNum } from "./formats.js";
import { isRecord, numberAt, recordAt, recordsAt, stringAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

const PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
const INVALID_PATH_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES = ["/..", "/."];

export function ingressResource(): ResourceDef {
  return {
    group: "networking.k8s.io",
    version: "v1",
    kind: "Ingress",
    plural: "ingresses",
    singular: "ingress",
    namespaced: true,
    shortNames: ["ing"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    validate: (obj, context: ValidationContext) => (context.subresource === "status" ? [] : validateIngressSpec(recordAt(obj, "spec") ?? {}, path("spec"))),
    table: {
      columns: [
        nameColumn(), column("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
        column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
        column("Address", "string", "Address is a list containing ingress points for the load-balancer"), column("Ports", "string", "Ports of TLS configurations that open"), ageColumn(),
      ],
      cells: (obj, now) => [nameOf(obj), stringAt(obj, "spec", "ingressClassName") ?? "<none>", formatHosts(obj), formatAddress(obj), recordsAt(obj, "spec", "tls").length > 0 ? "80, 443" : "80", ageOf(obj, now)],
    },
  };
}

function validateIngressSpec(spec: JsonRecord, p: FieldPath): FieldError[] {
  const rules = recordsAt(spec, "rules");
  const errs: FieldError[] = [];
  if (rules.length === 0 && !isRecord(spec.defaultBackend)) errs.push(invalid(`${p}`, [], "either `defaultBackend` or `rules` must be specified"));
  if (isRecord(spec.defaultBackend)) errs.push(...validateBackend(spec.defaultBackend, p.child("defaultBackend")));
  rules.forEach((rule, i) => errs.push(...validateRule(rule, p.child("rules").index(i))));
  recordsAt(spec, "tls").forEach((tls, i) => errs.push(...validateTLS(tls, p.child("tls").index(i))));
  const className = stringAt(spec, "ingressClassName");
  if (className) errs.push(...isDNS1123Subdomain(className).map((msg) => invalid(`${p.child("ingressClassName")}`, className, msg)));
  return errs;
}

function validateRule(rule: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const host = stringAt(rule, "host") ?? "";
  if (host !== "") {
    if (isIP(host) !== 0) errs.push(invalid(`${p.child("host")}`, host, "must be a DNS name, not an IP address"));
    const messages = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
    errs.push(...messages.map((msg) => invalid(`${p.child("host")}`, host, msg)));
  }
  const http = recordAt(rule, "http");
  if (http) {
    const paths = recordsAt(http, "paths");
    if (paths.length === 0) errs.push(required(`${p.child("http", "paths")}`));
    paths.forEach((entry, i) => errs.push(...validatePath(entry, p.child("http", "paths").index(i))));
  }
  return errs;
}

/** upstream validateHTTPIngressPath: Exact and Prefix paths are absolute and free of dot segments and encoded slashes. */
function validatePath(entry: JsonRecord, p: FieldPath): FieldError[] {
  const pathType = stringAt(entry, "pathType");
  const value = stringAt(entry, "path") ?? "";
  const pathField = `${p.child("path")}`;
  if (!pathType) return [required(`${p.child("pathType")}`, "pathType must be specified")];
  const errs: FieldError[] = [];
  if (!PATH_TYPES.includes(pathType)) errs.push(notSupported(`${p.child("pathType")}`, pathType, PATH_TYPES));
  else if (pathType === "ImplementationSpecific") {
    if (value !== "" && !value.startsWith("/")) errs.push(invalid(pathField, value, "must be an absolute path"));
  } else {
    if (!value.startsWith("/")) errs.push(invalid(pathField, value, "must be an absolute path"));
    for (const sequence of INVALID_PATH_SEQUENCES) if (value.includes(sequence)) errs.push(invalid(pathField, value, `must not contain '${sequence}'`));
    for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalid(pathField, value, `cannot end with '${suffix}'`));
  }
  errs.push(...validateBackend(recordAt(entry, "backend"), p.child("backend")));
  return errs;
}

/** upstream validateIngressTLS: hosts are (wildcard) DNS subdomains, a secretName a valid Secret name. */
function validateTLS(tls: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const hosts = Array.isArray(tls.hosts) ? tls.hosts.filter((h): h is string => typeof h === "string") : [];
  hosts.forEach((host, i) => {
    const messages = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
    errs.push(...messages.map((msg) => invalid(`${p.child("hosts").index(i)}`, host, msg)));
  });
  const secretName = stringAt(tls, "secretName") ?? "";
  if (secretName !== "") errs.push(...isDNS1123Subdomain(secretName).map((msg) => invalid(`${p.child("secretName")}`, secretName, msg)));
  return errs;
}

function validateBackend(backend: JsonRecord | undefined, p: FieldPath): FieldError[] {
  const service = recordAt(backend, "service");
  const resource = recordAt(backend, "resource");
  if (service && resource) return [invalid(`${p}`, "", "cannot set both resource and service backends")];
  if (resource) return [];
  if (!service) return [invalid(`${p}`, "", "resource or service backend is required")];
  const errs: FieldError[] = [];
  const name = stringAt(service, "name") ?? "";
  if (name === "") errs.push(required(`${p.child("service", "name")}`));
  else errs.push(...isDNS1035Label(name).map((msg) => invalid(`${p.child("service", "name")}`, name, msg)));
  const portName = stringAt(service, "port", "name") ?? "";
  const portNumber = numberAt(service, "port", "number") ?? 0;
  const portPath = `${p.child("service", "port")}`;
  if (portName !== "" && portNumber !== 0) errs.push(invalid(`${p}`, "", "cannot set both port name & port number"));
  else if (portName !== "") errs.push(...isValidPortName(portName).map((msg) => invalid(`${p.child("service", "port", "name")}`, portName, msg)));
  else if (portNumber !== 0) errs.push(...isValidPortNum(portNumber).map((msg) => invalid(`${p.child("service", "port", "number")}`, portNumber, msg)));
  else errs.push(required(portPath, "port name or number is required"));
  return errs;
}

/** upstream formatHosts: the rules' hosts until three are listed ("+ N more..." counts rules), or "*". */
function formatHosts(obj: KubeObject): string {
  const rules = recordsAt(obj, "spec", "rules");
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    const host = stringAt(rule, "host") ?? "";
    if (!more && host !== "") hosts.push(host);
  }
  if (hosts.length === 0) return "*";
  return more ? `${hosts.join(",")} + ${rules.length - 3} more...` : hosts.join(",");
}

/** upstream ingressLoadBalancerStatusStringer (wide): unique IPs or hostnames, sorted. */
function formatAddress(obj: KubeObject): string {
  const values = recordsAt(obj, "status", "loadBalancer", "ingress").map((i) => stringAt(i, "ip") || stringAt(i, "hostname") || "").filter(Boolean);
  return [...new Set(values)].sort().join(",");
}

