// Kubernetes protobuf request bodies decode to the JSON the JSON API would show: messages are built
// with protobufjs from the same generated descriptors (so field numbers are upstream's), wrapped in
// the k8s\0 + runtime.Unknown envelope, decoded and compared; bodies captured from a real
// kubectl 1.32.5 (`kubectl create ...` against a recording server) pin the wire format; malformed
// input is a 400.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { StatusError } from "../../src/api/errors.js";
import { builtinProtobuf, decodeProtobufObject, goDuration, PROTOBUF_MAGIC } from "../../src/api/protobuf.js";

const root = builtinProtobuf().root;
const API = "k8s.io.api";
const META = "k8s.io.apimachinery.pkg.apis.meta.v1";

function encode(messageName: string, object: Record<string, unknown>): Uint8Array {
  const type = root.lookupType(messageName);
  return type.encode(type.fromObject(object)).finish();
}

function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra: Record<string, unknown> = {}): Buffer {
  const unknown = encode("k8s.io.apimachinery.pkg.runtime.Unknown", { typeMeta: { apiVersion, kind }, raw, ...extra });
  return Buffer.concat([PROTOBUF_MAGIC, unknown]);
}

function body(apiVersion: string, kind: string, messageName: string, object: Record<string, unknown>): Buffer {
  return envelope(apiVersion, kind, encode(messageName, object));
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  for (; value > 127; value >>>= 7) bytes.push((value & 127) | 128);
  bytes.push(value);
  return Buffer.from(bytes);
}

/** A length-delimited field (wire type 2) holding `content`. */
function lengthDelimited(fieldNumber: number, content: Buffer): Buffer {
  return Buffer.concat([varint((fieldNumber << 3) | 2), varint(content.length), content]);
}

function rejects(input: Uint8Array, message: RegExp): void {
  assert.throws(() => decodeProtobufObject(input), (err: unknown) => {
    assert.ok(err instanceof StatusError, `expected a StatusError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.reason, "BadRequest");
    assert.match(err.message, message);
    return true;
  });
}

describe("decodeProtobufObject", () => {
  it("decodes a Deployment with Go's JSON names, inlined fields, quantities, int-or-strings and times", () => {
    const deployment = body("apps/v1", "Deployment", `${API}.apps.v1.Deployment`, {
      metadata: { name: "web", namespace: "prod", labels: { app: "web" }, creationTimestamp: { seconds: 1704067200, nanos: 5 }, generation: 7 },
      spec: {
        replicas: 3,
        minReadySeconds: 0,
        paused: false,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" }, creationTimestamp: {} },
          spec: {
            containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP", hostPort: 0 }], resources: { limits: { cpu: { string: "500m" } } } }],
            volumes: [{ name: "cfg", volumeSource: { configMap: { localObjectReference: { name: "settings" }, defaultMode: 420 } } }],
            terminationGracePeriodSeconds: 30,
          },
        },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: { type: 1, strVal: "25%" }, maxUnavailable: { type: 0, intVal: 0 } } },
      },
    });
    assert.deepEqual(decodeProtobufObject(deployment), {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: { name: "web", namespace: "prod", labels: { app: "web" }, creationTimestamp: "2024-01-01T00:00:00Z", generation: 7 },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }], resources: { limits: { cpu: "500m" } } }],
            volumes: [{ name: "cfg", configMap: { name: "settings", defaultMode: 420 } }],
            terminationGracePeriodSeconds: 30,
          },
        },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
      },
    });
  });

  it("keeps a present zero in a pointer field (replicas: 0) and drops it in a non-pointer omitempty field", () => {
    const decoded = decodeProtobufObject(body("apps/v1", "Deployment", `${API}.apps.v1.Deployment`, { spec: { replicas: 0, minReadySeconds: 0, revisionHistoryLimit: 0 } }));
    assert.deepEqual(decoded["spec"], { replicas: 0, revisionHistoryLimit: 0 });
  });

  it("decodes a Secret's binary data as base64 and keeps immutable: false (a pointer)", () => {
    const secret = body("v1", "Secret", `${API}.core.v1.Secret`, {
      metadata: { name: "creds" },
      data: { bin: Buffer.from([0x00, 0x01, 0xff]), user: Buffer.from("admin") },
      stringData: { note: "hi" },
      type: "Opaque",
      immutable: false,
    });
    assert.deepEqual(decodeProtobufObject(secret), {
      kind: "Secret",
      apiVersion: "v1",
      metadata: { name: "creds" },
      data: { bin: "AAH/", user: "YWRtaW4=" },
      stringData: { note: "hi" },
      type: "Opaque",
      immutable: false,
    });
  });

  it("decodes a Service's targetPort as a number or a string, and a zero targetPort as 0 like Go", () => {
    const service = body("v1", "Service", `${API}.core.v1.Service`, {
      metadata: { name: "web" },
      spec: {
        type: "ClusterIP",
        selector: { app: "web" },
        ports: [
          { name: "http", protocol: "TCP", port: 80, targetPort: { type: 0, intVal: 8080 } },
          { name: "https", protocol: "TCP", port: 443, targetPort: { type: 1, strVal: "https" } },
          { name: "raw", protocol: "TCP", port: 9000, targetPort: { type: 0, intVal: 0 } },
        ],
      },
      status: { loadBalancer: {} },
    });
    assert.deepEqual(decodeProtobufObject(service), {
      kind: "Service",
      apiVersion: "v1",
      metadata: { name: "web" },
      spec: {
        type: "ClusterIP",
        selector: { app: "web" },
        ports: [
          { name: "http", protocol: "TCP", port: 80, targetPort: 8080 },
          { name: "https", protocol: "TCP", port: 443, targetPort: "https" },
          { name: "raw", protocol: "TCP", port: 9000, targetPort: 0 },
        ],
      },
      status: { loadBalancer: {} },
    });
  });

  it("decodes a ConfigMap with data, binaryData and managedFields (FieldsV1 as JSON)", () => {
    const configMap = body("v1", "ConfigMap", `${API}.core.v1.ConfigMap`, {
      metadata: {
        name: "settings",
        annotations: { owner: "team-a" },
        managedFields: [{ manager: "kubectl", operation: "Apply", apiVersion: "v1", time: { seconds: 1704067200 }, fieldsType: "FieldsV1", fieldsV1: { Raw: Buffer.from('{"f:data":{"f:a":{}}}') } }],
      },
      data: { a: "1", empty: "" },
      binaryData: { blob: Buffer.from("hello") },
    });
    assert.deepEqual(decodeProtobufObject(configMap), {
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: {
        name: "settings",
        annotations: { owner: "team-a" },
        managedFields: [{ manager: "kubectl", operation: "Apply", apiVersion: "v1", time: "2024-01-01T00:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:a": {} } } }],
      },
      data: { a: "1", empty: "" },
      binaryData: { blob: "aGVsbG8=" },
    });
  });

  it("decodes a Namespace with finalizers and phase", () => {
    const namespace = body("v1", "Namespace", `${API}.core.v1.Namespace`, { metadata: { name: "team-a" }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
    assert.deepEqual(decodeProtobufObject(namespace), { kind: "Namespace", apiVersion: "v1", metadata: { name: "team-a" }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
  });

  it("decodes a SelfSubjectAccessReview, keeping the required status.allowed: false", () => {
    const review = body("authorization.k8s.io/v1", "SelfSubjectAccessReview", `${API}.authorization.v1.SelfSubjectAccessReview`, {
      metadata: {},
      spec: { resourceAttributes: { namespace: "default", verb: "get", group: "", resource: "pods", subresource: "", name: "" } },
      status: { allowed: false, denied: false, reason: "" },
    });
    assert.deepEqual(decodeProtobufObject(review), {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {},
      spec: { resourceAttributes: { namespace: "default", verb: "get", resource: "pods" } },
      status: { allowed: false },
    });
  });

  it("decodes MicroTime with microseconds and extra values (a Go named slice) as arrays", () => {
    const event = body("events.k8s.io/v1", "Event", `${API}.events.v1.Event`, {
      metadata: { name: "e1" },
      eventTime: { seconds: 1704067200, nanos: 123456789 },
      series: { count: 2, lastObservedTime: { seconds: 1704067201 } },
      reason: "Started",
    });
    assert.deepEqual(decodeProtobufObject(event), {
      kind: "Event",
      apiVersion: "events.k8s.io/v1",
      metadata: { name: "e1" },
      eventTime: "2024-01-01T00:00:00.123456Z",
      series: { count: 2, lastObservedTime: "2024-01-01T00:00:01.000000Z" },
      reason: "Started",
    });
    const review = body("authorization.k8s.io/v1", "SubjectAccessReview", `${API}.authorization.v1.SubjectAccessReview`, {
      spec: { user: "alice", extra: { scopes: { items: ["a", "b"] } } },
    });
    assert.deepEqual(decodeProtobufObject(review)["spec"], { user: "alice", extra: { scopes: ["a", "b"] } });
  });

  it("decodes a RawExtension holding JSON or an embedded protobuf object", () => {
    const embedded = body("v1", "ConfigMap", `${API}.core.v1.ConfigMap`, { metadata: { name: "inner" } });
    for (const [raw, expected] of [
      [Buffer.from('{"spec":{"replicas":2}}'), { spec: { replicas: 2 } }],
      [embedded, { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "inner" } }],
    ] as const) {
      const revision = body("apps/v1", "ControllerRevision", `${API}.apps.v1.ControllerRevision`, { metadata: { name: "r1" }, data: { raw }, revision: 4 });
      assert.deepEqual(decodeProtobufObject(revision), { kind: "ControllerRevision", apiVersion: "apps/v1", metadata: { name: "r1" }, data: expected, revision: 4 });
    }
  });

  it("decodes a CustomResourceDefinition schema with JSON names like $ref and x-kubernetes-*, and the Or-types", () => {
    const props = `k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1`;
    const crd = body("apiextensions.k8s.io/v1", "CustomResourceDefinition", `${props}.CustomResourceDefinition`, {
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        names: { plural: "widgets", kind: "Widget" },
        scope: "Namespaced",
        versions: [{
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: { type: "object", xKubernetesPreserveUnknownFields: true, default: { raw: Buffer.from('{"size":1}') } },
                tags: { type: "array", items: { schema: { type: "string" } } },
                labels: { type: "object", additionalProperties: { schema: { type: "string" } } },
                open: { type: "object", additionalProperties: { allows: true } },
              },
            },
          },
        }],
      },
    });
    assert.deepEqual(decodeProtobufObject(crd)["spec"], {
      group: "example.com",
      names: { plural: "widgets", kind: "Widget" },
      scope: "Namespaced",
      versions: [{
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true, default: { size: 1 } },
              tags: { type: "array", items: { type: "string" } },
              labels: { type: "object", additionalProperties: { type: "string" } },
              open: { type: "object", additionalProperties: true },
            },
          },
        },
      }],
    });
  });

  it("knows a proto message for every served kind", () => {
    const served = JSON.parse(readFileSync(fileURLToPath(new URL("../../../scripts/served-kinds.json", import.meta.url)), "utf8")) as { groupVersions: Record<string, string[]> };
    for (const [gv, kinds] of Object.entries(served.groupVersions)) {
      for (const kind of kinds) assert.ok(builtinProtobuf().messageType(gv, kind), `${gv} ${kind} has no proto message`);
    }
    assert.equal(builtinProtobuf().messageType("apps/v1", "DeleteOptions")?.fullName, `.${META}.DeleteOptions`);
  });
});

// Captured from kubectl v1.32.5 (`kubectl create ...`, `auth can-i`, `create token`) by a local
// recording server; base64 of the raw request bodies.
const KUBECTL_BODIES: { command: string; body: string; expected: Record<string, unknown> }[] = [
  {
    command: "kubectl create configmap cm1 --from-literal=a=b --from-literal=c=d",
    body: "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiUKEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBYhIGCgFjEgFkGgAiAA==",
    expected: { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "cm1" }, data: { a: "b", c: "d" } },
  },
  {
    command: "kubectl create secret generic s1 --from-file=bin=<00 01 ff> --from-literal=u=admin",
    body: "azhzAAoMCgJ2MRIGU2VjcmV0Ei4KEgoCczESABoAIgAqADIAOABCABIKCgNiaW4SAwAB/xIKCgF1EgVhZG1pbhoAGgAiAA==",
    expected: { kind: "Secret", apiVersion: "v1", metadata: { name: "s1" }, data: { bin: "AAH/", u: "YWRtaW4=" } },
  },
  {
    command: "kubectl create deployment web --image=nginx:1.27 --replicas=0 --port=80",
    body: "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Er0BCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEosBCAASDAoKCgNhcHASA3dlYhpxChwKABIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViElESMwoFbmdpbngSCm5naW54OjEuMjcqADIKCgAQABhQIgAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACCAQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==",
    expected: {
      kind: "Deployment",
      apiVersion: "apps/v1",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }], resources: {} }] } },
        strategy: {},
      },
      status: {},
    },
  },
  {
    command: "kubectl create service clusterip svc1 --tcp=80:8080 --tcp=443:https",
    body: "azhzAAoNCgJ2MRIHU2VydmljZRKQAQohCgRzdmMxEgAaACIAKgAyADgAQgBaCwoDYXBwEgRzdmMxEmcKGwoHODAtODA4MBIDVENQGFAiBwgAEJA/GgAoAAoiCgk0NDMtaHR0cHMSA1RDUBi7AyILCAEQABoFaHR0cHMoABILCgNhcHASBHN2YzEaACIJQ2x1c3RlcklQOgBCAFIAWgBgAGgAGgIKABoAIgA=",
    expected: {
      kind: "Service",
      apiVersion: "v1",
      metadata: { name: "svc1", labels: { app: "svc1" } },
      spec: {
        ports: [
          { name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 },
          { name: "443-https", protocol: "TCP", port: 443, targetPort: "https" },
        ],
        selector: { app: "svc1" },
        type: "ClusterIP",
      },
      status: { loadBalancer: {} },
    },
  },
  {
    command: "kubectl create namespace ns1",
    body: "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhsKEwoDbnMxEgAaACIAKgAyADgAQgASABoCCgAaACIA",
    expected: { kind: "Namespace", apiVersion: "v1", metadata: { name: "ns1" }, spec: {}, status: {} },
  },
  {
    command: "kubectl auth can-i get pods",
    body: "azhzAAoyChdhdXRob3JpemF0aW9uLms4cy5pby92MRIXU2VsZlN1YmplY3RBY2Nlc3NSZXZpZXcSPAoQCgASABoAIgAqADIAOABCABIeChwKB2RlZmF1bHQSA2dldBoAIgAqBHBvZHMyADoAGggIABIAGgAgABoAIgA=",
    expected: {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {},
      spec: { resourceAttributes: { namespace: "default", verb: "get", resource: "pods" } },
      status: { allowed: false },
    },
  },
  {
    command: "kubectl create token default --duration=1h",
    body: "azhzAAooChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESDFRva2VuUmVxdWVzdBIdChAKABIAGgAiACoAMgA4AEIAEgMgkBwaBAoAEgAaACIA",
    expected: { kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1", metadata: {}, spec: { expirationSeconds: 3600 }, status: { token: "" } },
  },
];

describe("decodeProtobufObject on bodies a real kubectl 1.32 sent", () => {
  for (const { command, body: encoded, expected } of KUBECTL_BODIES) {
    it(`decodes the body of \`${command}\``, () => {
      assert.deepEqual(decodeProtobufObject(Buffer.from(encoded, "base64")), expected);
    });
  }
});

describe("decodeProtobufObject on malformed input", () => {
  const configMap = body("v1", "ConfigMap", `${API}.core.v1.ConfigMap`, { metadata: { name: "x" }, data: { a: "b" } });

  it("rejects a body without the k8s\\0 magic", () => {
    rejects(Buffer.from('{"kind":"ConfigMap"}'), /magic bytes/);
    rejects(new Uint8Array(), /magic bytes/);
    rejects(Buffer.from("k8s"), /magic bytes/);
  });

  it("rejects truncated and invalid protobuf", () => {
    rejects(configMap.subarray(0, configMap.length - 3), /truncated or is not valid protobuf/);
    rejects(Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])]), /truncated or is not valid protobuf/);
    rejects(envelope("v1", "ConfigMap", Buffer.from([0x0a, 0x05, 0x0a])), /ConfigMap message is truncated/);
  });

  it("rejects an envelope without apiVersion and kind, or with an unknown kind or group/version", () => {
    rejects(Buffer.concat([PROTOBUF_MAGIC, encode("k8s.io.apimachinery.pkg.runtime.Unknown", { raw: Buffer.from([]) })]), /does not name the object's apiVersion and kind/);
    rejects(envelope("v1", "Gadget", new Uint8Array()), /no kind "Gadget" is registered for version "v1"/);
    rejects(envelope("example.com/v1", "ConfigMap", new Uint8Array()), /no kind "ConfigMap" is registered for version "example.com\/v1"/);
  });

  it("rejects nesting deeper than protobuf's recursion limit instead of overflowing the stack", () => {
    const ns = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1";
    const field = (message: string, name: string) => root.lookupType(`${ns}.${message}`).fields[name]!.id;
    let schema: Buffer = Buffer.alloc(0);
    for (let depth = 0; depth < 150; depth++) schema = lengthDelimited(field("JSONSchemaProps", "not"), schema);
    const crd = lengthDelimited(field("CustomResourceDefinition", "spec"), lengthDelimited(field("CustomResourceDefinitionSpec", "versions"),
      lengthDelimited(field("CustomResourceDefinitionVersion", "schema"), lengthDelimited(field("CustomResourceValidation", "openAPIV3Schema"), schema))));
    rejects(envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd), /CustomResourceDefinition message is truncated or is not valid protobuf: max depth exceeded/);
  });

  it("rejects an encoded (compressed) payload it cannot read", () => {
    rejects(envelope("v1", "ConfigMap", new Uint8Array(), { contentEncoding: "gzip" }), /content encoding "gzip" is not supported/);
  });

  it("rejects impossible values: a non-JSON RawExtension, an IntOrString of type 7, a time past year 9999", () => {
    rejects(body("apps/v1", "ControllerRevision", `${API}.apps.v1.ControllerRevision`, { data: { raw: Buffer.from("not json") } }), /ControllerRevision\.data: the embedded object is neither JSON nor Kubernetes protobuf/);
    rejects(body("v1", "Service", `${API}.core.v1.Service`, { spec: { ports: [{ port: 1, targetPort: { type: 7 } }] } }), /Service\.spec\.ports\[0\]\.targetPort: an IntOrString of type 7/);
    rejects(body("v1", "ConfigMap", `${API}.core.v1.ConfigMap`, { metadata: { creationTimestamp: { seconds: 400000000000 } } }), /outside years 0001-9999/);
  });
});

describe("goDuration", () => {
  const cases: [bigint, string][] = [
    [0n, "0s"],
    [1n, "1ns"],
    [1_500n, "1.5µs"],
    [250_000_000n, "250ms"],
    [1_500_000_000n, "1.5s"],
    [90_000_000_000n, "1m30s"],
    [3_600_000_000_000n, "1h0m0s"],
    [-5_000_000_000n, "-5s"],
  ];
  for (const [nanoseconds, expected] of cases) {
    it(`formats ${nanoseconds}ns as ${expected}, like Go's time.Duration`, () => assert.equal(goDuration(nanoseconds), expected));
  }
});
