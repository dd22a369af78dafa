// The OpenAPI documents kubectl reads: the v3 index lists every served group-version, each v3
// document carries what kubectl apply/create/explain look for (GVK extensions, patch merge keys,
// PATCH content types and the fieldValidation parameter) with every $ref resolvable inside it,
// hashes are stable and name the bytes, v2 is Swagger 2.0 JSON (or gnostic protobuf, see
// openapi-v2-protobuf.test.ts), and extra sources (custom resources) join the documents.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { StatusError } from "../../src/api/errors.js";
import { documentPathOf, OpenAPIDocuments, type OpenAPISource } from "../../src/api/openapi.js";
import { builtinSchemas } from "../../src/api/schema.js";

/** A parsed document as served (the wire edge): assertions walk it by key. */
type Json = Record<string, any>;

const documents = new OpenAPIDocuments(builtinSchemas(), { gitVersion: "v1.32.0" });
const served = JSON.parse(readFileSync(fileURLToPath(new URL("../../../scripts/served-kinds.json", import.meta.url)), "utf8")) as { groupVersions: Record<string, string[]> };

function v3(path: string): Json {
  const document = documents.v3Document(path);
  assert.ok(document, `no v3 document for ${path}`);
  return JSON.parse(document.body.toString("utf8")) as Json;
}

function indexPathOf(groupVersion: string): string {
  return groupVersion === "v1" ? "api/v1" : `apis/${groupVersion}`;
}

function allRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => allRefs(item, found));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") found.push(value);
      else allRefs(value, found);
    }
  }
  return found;
}

function patchOperationOf(document: Json, kind: string): Json {
  const operation = Object.values(document["paths"] as Record<string, Json>)
    .map((item) => item["patch"] as Json | undefined)
    .find((patch) => patch?.["x-kubernetes-group-version-kind"]?.kind === kind);
  assert.ok(operation, `no PATCH operation for ${kind}`);
  return operation;
}

describe("OpenAPIDocuments v3", () => {
  it("lists every served group-version in the index, with a hash in each URL", () => {
    const index = documents.v3Index();
    for (const gv of Object.keys(served.groupVersions)) {
      const entry = index.paths[indexPathOf(gv)];
      assert.ok(entry, `${gv} is missing from /openapi/v3`);
      assert.equal(entry.serverRelativeURL, `/openapi/v3/${indexPathOf(gv)}?hash=${documents.v3Document(indexPathOf(gv))!.hash}`);
    }
    for (const discovery of ["api", "apis", "apis/apps", "version"]) assert.ok(index.paths[discovery], `${discovery} is missing`);
  });

  it("gives the apps/v1 Deployment schema its GVK and the containers merge key", () => {
    const schemas = v3("apis/apps/v1")["components"]["schemas"] as Record<string, Json>;
    assert.deepEqual(schemas["io.k8s.api.apps.v1.Deployment"]!["x-kubernetes-group-version-kind"], [{ group: "apps", kind: "Deployment", version: "v1" }]);
    assert.deepEqual(schemas["io.k8s.api.apps.v1.Deployment"]!["properties"]["spec"], {
      allOf: [{ $ref: "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec" }],
      description: "Specification of the desired behavior of the Deployment.",
    });
    const containers = schemas["io.k8s.api.core.v1.PodSpec"]!["properties"]["containers"];
    assert.equal(containers["x-kubernetes-patch-merge-key"], "name");
    assert.equal(containers["x-kubernetes-patch-strategy"], "merge");
    assert.equal(containers["x-kubernetes-list-type"], "map");
    assert.deepEqual(containers["x-kubernetes-list-map-keys"], ["name"]);
    assert.match(schemas["io.k8s.api.core.v1.Container"]!["properties"]["image"]["description"], /Container image name/);
  });

  it("describes the Deployment PATCH with the four patch content types and an inline fieldValidation parameter", () => {
    const patch = patchOperationOf(v3("apis/apps/v1"), "Deployment");
    const types = Object.keys(patch["requestBody"]["content"]);
    for (const type of ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"]) {
      assert.ok(types.includes(type), `PATCH lacks ${type}`);
    }
    assert.equal(patch["requestBody"]["content"]["application/strategic-merge-patch+json"]["schema"]["$ref"], "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
    const fieldValidation = (patch["parameters"] as Json[]).find((p) => p["name"] === "fieldValidation");
    assert.deepEqual({ in: fieldValidation?.["in"], schema: fieldValidation?.["schema"] }, { in: "query", schema: { type: "string", uniqueItems: true } });
    assert.ok(patch["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endsWith("io.k8s.api.apps.v1.Deployment"));
  });

  it("inlines path-level parameters and turns the create body into a requestBody", () => {
    const item = v3("apis/apps/v1")["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"] as Json;
    assert.deepEqual(item["parameters"].find((p: Json) => p["name"] === "namespace"), {
      description: "object name and auth scope, such as for teams and projects",
      in: "path",
      name: "namespace",
      required: true,
      schema: { type: "string", uniqueItems: true },
    });
    assert.deepEqual(item["post"]["requestBody"], { content: { "*/*": { schema: { $ref: "#/components/schemas/io.k8s.api.apps.v1.Deployment" } } }, required: true });
    assert.equal(item["post"]["parameters"].some((p: Json) => p["in"] === "body"), false);
  });

  it("resolves every $ref of every document inside that document", () => {
    for (const path of documents.v3DocumentPaths()) {
      const document = v3(path);
      const schemas = document["components"]["schemas"] as Record<string, unknown>;
      for (const ref of allRefs(document)) {
        assert.ok(ref.startsWith("#/components/schemas/"), `${path}: ${ref} is not a component reference`);
        assert.ok(ref.slice("#/components/schemas/".length) in schemas, `${path}: ${ref} does not resolve`);
      }
    }
  });

  it("keeps hashes stable across instances and equal to the uppercase SHA-512 of the body", () => {
    const again = new OpenAPIDocuments(builtinSchemas(), { gitVersion: "v1.32.0" });
    const first = documents.v3Document("api/v1")!;
    assert.equal(again.v3Document("api/v1")!.hash, first.hash);
    assert.equal(first.hash, createHash("sha512").update(first.body).digest("hex").toUpperCase());
    assert.equal(documents.v3Document("/api/v1/"), first, "a document is built once and cached");
    assert.deepEqual(again.v3Index(), documents.v3Index());
  });

  it("has no document for paths nothing is served under", () => {
    assert.equal(documents.v3Document("apis/example.com/v1"), undefined);
  });
});

describe("OpenAPIDocuments v2", () => {
  it("serves Swagger 2.0 with upstream's info and bearer-token security", () => {
    const swagger = JSON.parse(documents.v2().toString("utf8")) as Json;
    assert.equal(swagger["swagger"], "2.0");
    assert.deepEqual(swagger["info"], { title: "Kubernetes", version: "v1.32.0" });
    assert.deepEqual(swagger["securityDefinitions"], { BearerToken: { description: "Bearer Token authentication", in: "header", name: "authorization", type: "apiKey" } });
    assert.ok(swagger["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]);
    assert.ok(swagger["definitions"]["io.k8s.api.apps.v1.Deployment"]);
    for (const ref of allRefs(swagger)) {
      const [, section, name] = ref.split("/") as [string, string, string];
      assert.ok(name in swagger[section], `${ref} does not resolve`);
    }
  });

  it("answers JSON for JSON-accepting clients, gnostic protobuf for kubectl's v2 request, and 406 for neither", () => {
    for (const accept of [undefined, "application/json", "*/*", "application/json;q=0.9, */*;q=0.1"]) {
      const reply = documents.v2(accept);
      assert.equal(reply.contentType, "application/json");
      assert.equal(reply.body, documents.v2());
    }
    for (const accept of ["application/com.github.proto-openapi.spec.v2@v1.0+protobuf", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"]) {
      assert.equal(documents.v2(accept).contentType, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    }
    for (const accept of ["application/json;q=0", "text/html"]) {
      assert.throws(() => documents.v2(accept), (err: unknown) => err instanceof StatusError && err.code === 406);
    }
  });
});

describe("OpenAPIDocuments extra sources", () => {
  const widgetSchema = { type: "object" as const, properties: { spec: { type: "object" as const } }, "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Widget" }] };
  const widgets: OpenAPISource = {
    definitions: { "com.example.v1.Widget": widgetSchema },
    paths: {
      "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}": {
        patch: {
          consumes: ["application/merge-patch+json"],
          produces: ["application/json"],
          parameters: [{ in: "body", name: "body", required: true, schema: { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" } }],
          responses: { "200": { description: "OK", schema: { $ref: "#/definitions/com.example.v1.Widget" } } },
          "x-kubernetes-group-version-kind": { group: "example.com", version: "v1", kind: "Widget" },
        },
      },
    },
  };

  it("adds a custom resource's group-version to the index, v3 and v2, and removes it again", () => {
    const docs = new OpenAPIDocuments(builtinSchemas());
    const before = docs.v3Index();
    docs.setSource("crd/widgets.example.com", widgets);
    assert.ok(docs.v3Index().paths["apis/example.com/v1"]);
    const document = JSON.parse(docs.v3Document("apis/example.com/v1")!.body.toString("utf8")) as Json;
    assert.deepEqual(Object.keys(document["components"]["schemas"]).sort(), ["com.example.v1.Widget", "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"]);
    assert.ok(JSON.parse(docs.v2().toString("utf8"))["definitions"]["com.example.v1.Widget"]);
    docs.setSource("crd/widgets.example.com", undefined);
    assert.deepEqual(docs.v3Index(), before);
  });
});

describe("documentPathOf", () => {
  const cases: [string, string][] = [
    ["/api/", "api"],
    ["/api/v1/namespaces/{namespace}/pods", "api/v1"],
    ["/apis/", "apis"],
    ["/apis/apps/", "apis/apps"],
    ["/apis/apps/v1/watch/deployments", "apis/apps/v1"],
    ["/version/", "version"],
  ];
  for (const [path, expected] of cases) {
    it(`puts ${path} in the ${expected} document`, () => assert.equal(documentPathOf(path), expected));
  }
});
