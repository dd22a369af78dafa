// /openapi/v2 as gnostic's OpenAPIv2 protobuf: the Accept negotiation upstream's handler does, the
// protobuf built lazily once and cached with the JSON's ETag, and a Document that says everything
// the Swagger JSON says: decoding it and reading it back as Swagger gives the served JSON, with
// vendor extensions, defaults and enums as YAML text and every oneof on the member gnostic picks.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import YAML from "yaml";
import { negotiateV2, OpenAPIDocuments } from "../../src/api/openapi.js";
import { builtinOpenAPIv2Encoder, jsonKeyOf, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_DEPRECATED, OpenAPIv2ProtobufEncoder, type GeneratedOpenAPIv2 } from "../../src/api/openapi-v2-protobuf.js";
import { builtinSchemas } from "../../src/api/schema.js";

/** A decoded message or parsed document (the wire edge): assertions walk it by key. */
type Json = Record<string, any>;

const generated = JSON.parse(readFileSync(fileURLToPath(new URL("../../../src/api/generated/openapiv2.json", import.meta.url)), "utf8")) as GeneratedOpenAPIv2 & Json;
const root = protobuf.Root.fromJSON(generated.descriptor);
root.resolveAll();
const documentType = root.lookupType("openapi.v2.Document");
const encoder = builtinOpenAPIv2Encoder();

function decode(bytes: Uint8Array): Json {
  return encoder.decode(bytes) as Json;
}

/**
 * Reads a decoded Document back as Swagger JSON, the inverse of gnostic's mapping, written from the
 * descriptor alone: Named* lists are maps, `vendor_extension` are "x-" keys, Any is YAML, a oneof is
 * its member, TypeItem/ItemsItem of one element are that element (as Kubernetes writes them).
 */
function toSwagger(type: protobuf.Type, message: Json): unknown {
  if (type.name === "Any") return YAML.parse(message["yaml"] as string);
  if (type.oneofsArray.length > 0) {
    const [member, value] = Object.entries(message)[0]!;
    return fieldValue(type.fields[member]!, value);
  }
  const out: Json = {};
  for (const [name, value] of Object.entries(message)) {
    const field = type.fields[name]!;
    if (name === "vendor_extension" || (field.repeated && field.resolvedType?.name.startsWith("Named"))) {
      for (const entry of value as Json[]) out[entry["name"]] = entry["value"] === undefined ? {} : fieldValue((field.resolvedType as protobuf.Type).fields["value"]!, entry["value"]);
    } else if (type.name === "TypeItem" || type.name === "ItemsItem") {
      const items = (value as unknown[]).map((v) => fieldValue(field, v));
      return items.length === 1 ? items[0] : items;
    } else if (type.name === "StringArray") {
      return value;
    } else {
      out[jsonKeyOf(name)] = field.repeated ? (value as unknown[]).map((v) => fieldValue(field, v)) : fieldValue(field, value);
    }
  }
  return type.name === "StringArray" ? [] : out;
}

function fieldValue(field: protobuf.Field, value: unknown): unknown {
  return field.resolvedType instanceof protobuf.Type ? toSwagger(field.resolvedType, value as Json) : value;
}

/** The served JSON without what proto3 cannot tell from absent: false, "" and 0 scalars. */
function withoutZeroScalars(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutZeroScalars);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    const extension = key.startsWith("x-") || ["default", "enum", "example"].includes(key);
    if (!extension && (value === false || value === "" || value === 0)) continue;
    out[key] = extension ? value : withoutZeroScalars(value);
  }
  return out;
}

describe("negotiateV2", () => {
  const cases: [string | undefined, "json" | "protobuf" | undefined][] = [
    [undefined, "json"],
    ["", "json"],
    ["*/*", "json"],
    ["application/*", "json"],
    ["application/json", "json"],
    ["application/json, */*", "json"],
    [OPENAPI_V2_PROTOBUF_DEPRECATED, "protobuf"],
    [OPENAPI_V2_PROTOBUF, "protobuf"],
    [`${OPENAPI_V2_PROTOBUF}, application/json`, "protobuf"],
    [`application/json;q=0.5, ${OPENAPI_V2_PROTOBUF_DEPRECATED}`, "protobuf"],
    [`*/*;q=0.9, ${OPENAPI_V2_PROTOBUF}`, "protobuf"],
    ["application/json;q=0", undefined],
    ["text/html", undefined],
    ["application/vnd.kubernetes.protobuf", undefined],
  ];
  for (const [accept, expected] of cases) {
    it(`answers ${JSON.stringify(accept)} with ${expected ?? "406"}`, () => assert.equal(negotiateV2(accept), expected));
  }
});

describe("OpenAPIDocuments v2 as protobuf", () => {
  it("encodes only when protobuf is first asked for, once, and again after a source changes", () => {
    let encodes = 0;
    const docs = new OpenAPIDocuments(builtinSchemas(), {
      protobufEncoder: () => {
        encodes++;
        return encoder;
      },
    });
    docs.v2("application/json");
    docs.v2(undefined);
    assert.equal(encodes, 0, "JSON requests do not build the protobuf");
    const first = docs.v2(OPENAPI_V2_PROTOBUF_DEPRECATED);
    const second = docs.v2(OPENAPI_V2_PROTOBUF);
    assert.equal(encodes, 1);
    assert.equal(second.body, first.body, "the encoded bytes are cached");
    docs.setSource("crd/widgets.example.com", { definitions: { "com.example.v1.Widget": { type: "object" } }, paths: {} });
    assert.notEqual(docs.v2(OPENAPI_V2_PROTOBUF).body, first.body);
    assert.equal(encodes, 2);
  });

  it("replies with upstream's content type and the JSON document's ETag", () => {
    const docs = new OpenAPIDocuments(builtinSchemas());
    const json = docs.v2("application/json");
    for (const accept of [OPENAPI_V2_PROTOBUF_DEPRECATED, OPENAPI_V2_PROTOBUF]) {
      const reply = docs.v2(accept);
      assert.equal(reply.contentType, OPENAPI_V2_PROTOBUF);
      assert.equal(reply.hash, json.hash);
      assert.notDeepEqual(reply.body.subarray(0, 1), Buffer.from("{"));
    }
  });

  it("says everything the served JSON says (decoded and read back as Swagger, it is the JSON)", () => {
    const docs = new OpenAPIDocuments(builtinSchemas(), { gitVersion: "v1.32.0" });
    const document = decode(docs.v2(OPENAPI_V2_PROTOBUF).body);
    assert.deepEqual(toSwagger(documentType, document), withoutZeroScalars(JSON.parse(docs.v2().toString("utf8"))));
  });

  it("gives the same bytes for the same document", () => {
    const one = new OpenAPIDocuments(builtinSchemas()).v2(OPENAPI_V2_PROTOBUF).body;
    const two = new OpenAPIDocuments(builtinSchemas()).v2(OPENAPI_V2_PROTOBUF).body;
    assert.ok(one.equals(two));
  });
});

describe("the gnostic Document of the built-in definitions", () => {
  const docs = new OpenAPIDocuments(builtinSchemas(), { gitVersion: "v1.32.0" });
  const document = decode(docs.v2(OPENAPI_V2_PROTOBUF).body);
  const named = (list: Json[], name: string): Json => {
    const entry = list.find((e) => e["name"] === name);
    assert.ok(entry, `no entry ${name}`);
    return entry["value"] as Json;
  };
  const extension = (node: Json, name: string): string => named(node["vendor_extension"] as Json[], name)["yaml"] as string;

  it("carries the kinds' GVKs and patch keys as YAML vendor extensions, as kubectl reads them", () => {
    const definitions = document["definitions"]["additional_properties"] as Json[];
    const deployment = named(definitions, "io.k8s.api.apps.v1.Deployment");
    assert.equal(extension(deployment, "x-kubernetes-group-version-kind"), "- group: apps\n  kind: Deployment\n  version: v1\n");
    assert.equal(extension(named(definitions, "io.k8s.api.core.v1.Pod"), "x-kubernetes-group-version-kind"), '- group: ""\n  kind: Pod\n  version: v1\n');
    const containers = named(named(definitions, "io.k8s.api.core.v1.PodSpec")["properties"]["additional_properties"], "containers");
    assert.equal(extension(containers, "x-kubernetes-patch-merge-key"), "name\n");
    assert.equal(extension(containers, "x-kubernetes-list-map-keys"), "- name\n");
    assert.deepEqual(containers["type"], { value: ["array"] });
    assert.equal(containers["items"]["schema"][0]["_ref"], "#/definitions/io.k8s.api.core.v1.Container");
  });

  it("puts each parameter on the oneof member gnostic picks", () => {
    const item = named(document["paths"]["path"], "/apis/apps/v1/namespaces/{namespace}/deployments/{name}");
    assert.deepEqual(item["parameters"].slice(0, 2), [
      { parameter: { non_body_parameter: { path_parameter_sub_schema: { required: true, in: "path", description: "name of the Deployment", name: "name", type: "string", unique_items: true } } } },
      { json_reference: { _ref: "#/parameters/namespace-vgWSWtn3" } },
    ]);
    const post = named(document["paths"]["path"], "/apis/apps/v1/namespaces/{namespace}/deployments")["post"];
    const body = (post["parameters"] as Json[]).find((p) => p["parameter"]?.["body_parameter"])!["parameter"]["body_parameter"];
    assert.deepEqual(body, { name: "body", in: "body", required: true, schema: { _ref: "#/definitions/io.k8s.api.apps.v1.Deployment" } });
    const dryRun = (post["parameters"] as Json[]).find((p) => p["parameter"]?.["non_body_parameter"]?.["query_parameter_sub_schema"]?.["name"] === "dryRun");
    assert.ok(dryRun, "dryRun is a query parameter");
    const namespace = named(document["parameters"]["additional_properties"], "namespace-vgWSWtn3");
    assert.equal(namespace["non_body_parameter"]["path_parameter_sub_schema"]["name"], "namespace");
    assert.equal(extension(post, "x-kubernetes-group-version-kind"), "group: apps\nkind: Deployment\nversion: v1\n");
  });

  it("has upstream's info, security and bearer-token definition", () => {
    assert.equal(document["swagger"], "2.0");
    assert.deepEqual(document["info"], { title: "Kubernetes", version: "v1.32.0" });
    assert.deepEqual(document["security"], [{ additional_properties: [{ name: "BearerToken", value: {} }] }]);
    assert.deepEqual(document["security_definitions"]["additional_properties"][0], {
      name: "BearerToken",
      value: { api_key_security: { type: "apiKey", name: "authorization", in: "header", description: "Bearer Token authentication" } },
    });
  });
});

describe("OpenAPIv2ProtobufEncoder", () => {
  const swagger = {
    swagger: "2.0",
    info: { title: "t", version: "1", "x-info": true },
    paths: {
      "x-paths": "ext",
      "/things": {
        get: {
          parameters: [
            { name: "X-Trace", in: "header", type: "string" },
            { name: "file", in: "formData", type: "file" },
            { name: "mode", in: "query", type: "string", enum: ["a", "true", "one\ntwo"], default: "a", uniqueItems: false },
            { name: "ids", in: "query", type: "array", items: { type: "integer", format: "int32" }, collectionFormat: "csv", maxItems: 3 },
          ],
          responses: { default: { description: "d", schema: { type: "file" } }, "404": { $ref: "#/responses/missing" }, "x-resp": 1 },
        },
      },
    },
    definitions: {
      Open: { type: "object", additionalProperties: false },
      Map: { type: "object", additionalProperties: { type: "string" }, minProperties: 1 },
      Tuple: { type: ["array", "null"], items: [{ type: "string" }, { type: "number", maximum: 2.5, exclusiveMaximum: true }] },
      Multi: { type: "string", description: "line one\nline two", default: { nested: { list: [1, 2] } }, example: "e" },
    },
    securityDefinitions: {
      basic: { type: "basic" },
      implicit: { type: "oauth2", flow: "implicit", authorizationUrl: "https://a", scopes: { read: "r" } },
      code: { type: "oauth2", flow: "accessCode", authorizationUrl: "https://a", tokenUrl: "https://t", scopes: {} },
    },
  };
  const message = decode(encoder.encode(swagger));
  const parameters = named(named(message["paths"]["path"], "/things")["get"]["parameters"]);

  function named(list: Json[], name?: string): Json {
    if (name === undefined) return list;
    return list.find((e) => e["name"] === name)!["value"] as Json;
  }

  it("picks header, formData and query parameters by `in`", () => {
    const [header, form, query, array] = (parameters as unknown as Json[]).map((p) => p["parameter"]["non_body_parameter"]);
    assert.deepEqual(header, { header_parameter_sub_schema: { in: "header", name: "X-Trace", type: "string" } });
    assert.deepEqual(form, { form_data_parameter_sub_schema: { in: "formData", name: "file", type: "file" } });
    assert.deepEqual(query["query_parameter_sub_schema"]["enum"], [{ yaml: "a\n" }, { yaml: '"true"\n' }, { yaml: '"one\\ntwo"\n' }]);
    assert.deepEqual(query["query_parameter_sub_schema"]["default"], { yaml: "a\n" });
    assert.equal("unique_items" in query["query_parameter_sub_schema"], false, "false is proto3's zero: left out");
    assert.deepEqual(array["query_parameter_sub_schema"]["items"], { type: "integer", format: "int32" });
    assert.equal(array["query_parameter_sub_schema"]["collection_format"], "csv");
    assert.equal(array["query_parameter_sub_schema"]["max_items"], 3);
  });

  it("maps responses by code or default, with references, file schemas and extensions", () => {
    const responses = named(message["paths"]["path"], "/things")["get"]["responses"];
    // In key order as JavaScript keeps it (integer-like keys first), the order the JSON is served in too.
    assert.deepEqual(responses["response_code"], [
      { name: "404", value: { json_reference: { _ref: "#/responses/missing" } } },
      { name: "default", value: { response: { description: "d", schema: { file_schema: { type: "file" } } } } },
    ]);
    assert.deepEqual(responses["vendor_extension"], [{ name: "x-resp", value: { yaml: "1\n" } }]);
    assert.deepEqual(message["paths"]["vendor_extension"], [{ name: "x-paths", value: { yaml: "ext\n" } }]);
    assert.deepEqual(message["info"]["vendor_extension"], [{ name: "x-info", value: { yaml: "true\n" } }]);
  });

  it("writes additionalProperties false, type and items lists, numbers and YAML defaults", () => {
    const definitions = message["definitions"]["additional_properties"] as Json[];
    assert.deepEqual(named(definitions, "Open")["additional_properties"], { boolean: false });
    assert.deepEqual(named(definitions, "Map")["additional_properties"], { schema: { type: { value: ["string"] } } });
    assert.equal(named(definitions, "Map")["min_properties"], 1);
    const tuple = named(definitions, "Tuple");
    assert.deepEqual(tuple["type"], { value: ["array", "null"] });
    assert.deepEqual(tuple["items"]["schema"][1], { type: { value: ["number"] }, maximum: 2.5, exclusive_maximum: true });
    const multi = named(definitions, "Multi");
    assert.deepEqual(YAML.parse(multi["default"]["yaml"]), { nested: { list: [1, 2] } });
    assert.deepEqual(multi["example"], { yaml: "e\n" });
    assert.equal(multi["description"], "line one\nline two");
  });

  it("picks security definitions by type and flow", () => {
    const security = message["security_definitions"]["additional_properties"] as Json[];
    assert.deepEqual(named(security, "basic"), { basic_authentication_security: { type: "basic" } });
    assert.deepEqual(named(security, "implicit"), {
      oauth2_implicit_security: { type: "oauth2", flow: "implicit", scopes: { additional_properties: [{ name: "read", value: "r" }] }, authorization_url: "https://a" },
    });
    assert.deepEqual(named(security, "code")["oauth2_access_code_security"]["scopes"], {}, "an empty map is still written");
  });

  it("is built from the generated gnostic descriptor, not from hand-typed messages", () => {
    assert.match(generated["generated"], /OpenAPIv2\.proto/);
    assert.equal(generated.package, "openapi.v2");
    const numbers = Object.fromEntries(documentType.fieldsArray.map((f) => [f.name, f.id]));
    assert.deepEqual({ swagger: numbers["swagger"], paths: numbers["paths"], definitions: numbers["definitions"], vendor_extension: numbers["vendor_extension"] }, { swagger: 1, paths: 8, definitions: 9, vendor_extension: 16 });
    assert.ok(new OpenAPIv2ProtobufEncoder(generated).encode({ swagger: "2.0" }).equals(Buffer.from([0x0a, 0x03, 0x32, 0x2e, 0x30])));
  });
});
