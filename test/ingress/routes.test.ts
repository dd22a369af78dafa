// Ingress routing as the Ingress API specifies it: exact and one-label wildcard hosts, element-wise
// Prefix paths with the longest match winning and Exact over Prefix, default backends, and the
// older Ingress keeping a contested route.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { prefixMatches, RouteTable, type IngressSpec } from "../../src/ingress/routes.js";

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });

function ingress(name: string, spec: IngressSpec, created = "2026-01-01T00:00:00Z"): KubeObject {
  return { metadata: { name, namespace: "default", creationTimestamp: created }, spec: spec as Record<string, unknown> };
}

test("Prefix paths match whole path elements, ignoring a trailing slash (the API's table)", () => {
  const cases: [string, string, boolean][] = [
    ["", "/anything", true], // "/" normalised
    ["/foo", "/foo", true],
    ["/foo", "/foo/", true],
    ["/foo", "/foo/bar", true],
    ["/foo", "/foobar", false],
    ["/aaa/bb", "/aaa/bbb", false],
    ["/aaa/bbb", "/aaa/bbb/ccc", true],
    ["/aaa/bbb", "/aaa/bbbxyz", false],
  ];
  for (const [prefix, path, expected] of cases) assert.equal(prefixMatches(prefix, path), expected, `${prefix} ~ ${path}`);
});

test("the longest matching path wins, and Exact beats Prefix for the same path", () => {
  const table = new RouteTable([
    ingress("a", {
      rules: [
        {
          host: "foo.bar.com",
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: backend("root") },
              { path: "/aaa/bbb/", pathType: "Prefix", backend: backend("deep") },
              { path: "/aaa", pathType: "ImplementationSpecific", backend: backend("aaa") },
              { path: "/aaa/bbb", pathType: "Exact", backend: backend("exact") },
            ],
          },
        },
      ],
    }),
  ]);
  const to = (path: string) => table.match("foo.bar.com", path)?.backend.service?.name;
  assert.equal(to("/"), "root");
  assert.equal(to("/aaa"), "aaa");
  assert.equal(to("/aaa/ccc"), "aaa");
  assert.equal(to("/aaa/bbb"), "exact");
  assert.equal(to("/aaa/bbb/"), "deep");
  assert.equal(to("/aaa/bbb/ccc"), "deep");
  assert.equal(to("/aaabbb"), "root");
});

test("hosts: exact first, then a wildcard of exactly one label, then rules without a host; else the default backend", () => {
  const table = new RouteTable([
    ingress("hosts", {
      defaultBackend: backend("fallback"),
      rules: [
        { host: "foo.bar.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("exact-host") }] } },
        { host: "*.bar.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("wildcard") }] } },
        { http: { paths: [{ path: "/any", pathType: "Prefix", backend: backend("any-host") }] } },
      ],
    }),
  ]);
  const to = (host: string, path = "/") => table.match(host, path)?.backend.service?.name;
  assert.equal(to("foo.bar.com"), "exact-host");
  assert.equal(to("FOO.Bar.com"), "exact-host");
  assert.equal(to("baz.bar.com"), "wildcard");
  assert.equal(to("bar.com"), "fallback");
  assert.equal(to("a.baz.bar.com"), "fallback");
  assert.equal(to("elsewhere.org", "/any/thing"), "any-host");
  assert.equal(to("elsewhere.org", "/other"), "fallback");
});

test("no match and no default backend: no route", () => {
  const table = new RouteTable([ingress("one", { rules: [{ host: "a.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("a") }] } }] })]);
  assert.equal(table.match("b.example.com", "/"), undefined);
  assert.equal(table.match("a.example.com", "/x")?.backend.service?.name, "a");
});

test("the older Ingress keeps a contested host and path; a host's own default backend comes before another's", () => {
  const rule = (name: string) => ({ host: "shop.example.com", http: { paths: [{ path: "/cart", pathType: "Prefix", backend: backend(name) }] } });
  const table = new RouteTable([
    ingress("newer", { rules: [rule("newer")], defaultBackend: backend("newer-default") }, "2026-02-01T00:00:00Z"),
    ingress("older", { rules: [rule("older")] }, "2026-01-01T00:00:00Z"),
    ingress("other", { defaultBackend: backend("other-default") }, "2025-12-01T00:00:00Z"),
  ]);
  assert.equal(table.match("shop.example.com", "/cart")?.ingress, "older");
  assert.equal(table.match("shop.example.com", "/else")?.backend.service?.name, "newer-default");
  assert.equal(table.match("unknown.example.com", "/")?.backend.service?.name, "other-default");
});
