// Ingress validation in upstream's words (pkg/apis/networking/validation): path types, absolute
// paths without dot segments or encoded slashes, wildcard hosts, TLS entries, backends.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { ingressResource } from "../../src/api/resources/ingress.js";
import { fieldErrorMessage } from "../../src/api/validation/field-errors.js";

const backend = { service: { name: "web", port: { number: 80 } } };

function messages(spec: Record<string, unknown>): string[] {
  const obj: KubeObject = { metadata: { name: "x", namespace: "default" }, spec };
  return (ingressResource().validate?.(obj, {}) ?? []).map(fieldErrorMessage);
}

const withPath = (path: string, pathType?: string) => ({ rules: [{ host: "a.example.com", http: { paths: [{ path, ...(pathType ? { pathType } : {}), backend }] } }] });
const P = "spec.rules[0].http.paths[0]";

test("valid Ingresses pass", () => {
  assert.deepEqual(messages(withPath("/api", "Prefix")), []);
  assert.deepEqual(messages(withPath("", "ImplementationSpecific")), []);
  assert.deepEqual(messages({ defaultBackend: backend, tls: [{ hosts: ["*.example.com", "a.example.com"], secretName: "tls" }] }), []);
});

test("an Ingress needs rules or a default backend", () => {
  const [message, ...rest] = messages({});
  assert.match(message ?? "", /^spec: Invalid value: .*: either `defaultBackend` or `rules` must be specified$/);
  assert.deepEqual(rest, []);
});

test("invalid Ingresses get upstream's messages", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["unknown pathType", withPath("/", "Regex"), [`${P}.pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"`]],
    ["missing pathType", withPath("/"), [`${P}.pathType: Required value: pathType must be specified`]],
    ["relative Prefix path", withPath("api", "Prefix"), [`${P}.path: Invalid value: "api": must be an absolute path`]],
    ["relative ImplementationSpecific path", withPath("api", "ImplementationSpecific"), [`${P}.path: Invalid value: "api": must be an absolute path`]],
    ["double slash", withPath("/a//b", "Exact"), [`${P}.path: Invalid value: "/a//b": must not contain '//'`]],
    ["dot suffix", withPath("/a/..", "Prefix"), [`${P}.path: Invalid value: "/a/..": cannot end with '/..'`]],
    ["bad wildcard host", { rules: [{ host: "*.*.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }] }, [
      `spec.rules[0].host: Invalid value: "*.*.example.com": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]],
    ["bad TLS secret name", { defaultBackend: backend, tls: [{ secretName: "Bad_Name" }] }, [
      `spec.tls[0].secretName: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]],
    ["both port name and number", { defaultBackend: { service: { name: "web", port: { name: "http", number: 80 } } } }, ["spec.defaultBackend: Invalid value: \"\": cannot set both port name & port number"]],
  ];
  for (const [name, spec, expected] of cases) assert.deepEqual(messages(spec), expected, name);
});
