// ObjectMeta validation on create and update, with upstream's fields and messages
// (apimachinery pkg/api/validation/objectmeta.go and kubernetes core validation at v1.32).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ObjectMeta } from "../../src/api/resource.js";
import { fieldErrorMessage, invalidObject } from "../../src/api/validation/field-errors.js";
import { validateObjectMeta, type ObjectMetaOptions } from "../../src/api/validation/object-meta.js";

const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const namespaced: ObjectMetaOptions = { namespaced: true, nameValidation: "subdomain" };
const messages = (meta: ObjectMeta | undefined, options: ObjectMetaOptions = namespaced): string[] => validateObjectMeta(meta, options).map(fieldErrorMessage);

test("valid metadata passes on create", () => {
  const meta: ObjectMeta = {
    name: "web.example", namespace: "default", generation: 1,
    labels: { app: "web", "example.com/tier": "" }, annotations: { "Example.com/Note": "any value at all" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-1", uid: "u1", controller: true }],
    finalizers: ["kubernetes", "example.com/cleanup"],
    managedFields: [{ manager: "kubectl", operation: "Apply", fieldsType: "FieldsV1" }],
  };
  assert.deepEqual(messages(meta), []);
  assert.deepEqual(messages({ name: "node-1" }, { namespaced: false, nameValidation: "subdomain" }), []);
});

test("names, namespaces and generateName are checked by the kind's rules", () => {
  const cases: [ObjectMeta | undefined, ObjectMetaOptions, string[]][] = [
    [undefined, namespaced, ["metadata.name: Required value: name or generateName is required", "metadata.namespace: Required value"]],
    [{ name: "Web", namespace: "default" }, namespaced, [`metadata.name: Invalid value: "Web": ${SUBDOMAIN}`]],
    [{ name: "a.b", namespace: "default" }, { namespaced: true, nameValidation: "label" }, [`metadata.name: Invalid value: "a.b": must not contain dots`]],
    [{ name: "1svc", namespace: "default" }, { namespaced: true, nameValidation: "dns1035" }, [`metadata.name: Invalid value: "1svc": ${DNS1035}`]],
    [{ name: "a:b", namespace: "default" }, { namespaced: true, nameValidation: "path-segment" }, []],
    [{ name: "a/b" }, { namespaced: false, nameValidation: "path-segment" }, [`metadata.name: Invalid value: "a/b": may not contain '/'`]],
    [{ generateName: "web-", name: "web-x1", namespace: "default" }, namespaced, []],
    [{ generateName: "Web-", namespace: "default" }, namespaced, [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN}`, "metadata.name: Required value: name or generateName is required"]],
    [{ name: "x", namespace: "Default" }, namespaced, [`metadata.namespace: Invalid value: "Default": ${LABEL}`]],
    [{ name: "x", namespace: "a.b" }, namespaced, [`metadata.namespace: Invalid value: "a.b": must not contain dots`]],
    [{ name: "x", namespace: "default" }, { namespaced: false, nameValidation: "subdomain" }, ["metadata.namespace: Forbidden: not allowed on this type"]],
    [{ name: "x", namespace: "default", generation: -1 }, namespaced, ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"]],
  ];
  for (const [meta, options, want] of cases) assert.deepEqual(messages(meta, options), want, JSON.stringify(meta));
});

test("labels and annotations are checked key by key at the map's path", () => {
  const meta: ObjectMeta = { name: "x", namespace: "d", labels: { "-k": "ok", k: "-v" }, annotations: { "a/b/c": "", "Upper.COM/Key": "" } };
  assert.deepEqual(messages(meta), [
    `metadata.labels: Invalid value: "-k": ${NAME_PART}`,
    `metadata.labels: Invalid value: "-v": ${LABEL_VALUE}`,
    `metadata.annotations: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]);
});

test("annotations may total at most 256 KiB of keys and values", () => {
  const atLimit = { a: "x".repeat(256 * 1024 - 1) };
  assert.deepEqual(messages({ name: "x", namespace: "d", annotations: atLimit }), []);
  assert.deepEqual(messages({ name: "x", namespace: "d", annotations: { ab: "x".repeat(256 * 1024 - 1) } }), ["metadata.annotations: Too long: may not be more than 262144 bytes"]);
  assert.deepEqual(messages({ name: "x", namespace: "d", annotations: { a: "é".repeat(128 * 1024) } }), ["metadata.annotations: Too long: may not be more than 262144 bytes"]);
});

test("owner references need apiVersion, kind, name and uid, and at most one controller", () => {
  const meta: ObjectMeta = {
    name: "x", namespace: "d",
    ownerReferences: [
      { apiVersion: "", kind: "", name: "", uid: "" },
      { apiVersion: "a/b/c", kind: "K", name: "n", uid: "u" },
      { apiVersion: "v1", kind: "Event", name: "e", uid: "u" },
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "a", uid: "1", controller: true },
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "b", uid: "2", controller: true },
    ],
  };
  const got = messages(meta);
  assert.deepEqual(got.slice(0, 6), [
    `metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty`,
    `metadata.ownerReferences.kind: Invalid value: "": kind must not be empty`,
    `metadata.ownerReferences.name: Invalid value: "": name must not be empty`,
    `metadata.ownerReferences.uid: Invalid value: "": uid must not be empty`,
    `metadata.ownerReferences.apiVersion: Invalid value: "a/b/c": version must not be empty`,
    `metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"u", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: /v1, Kind=Event is disallowed from being an owner`,
  ]);
  assert.equal(got.length, 7);
  assert.match(got[6] ?? "", /^metadata\.ownerReferences: Invalid value: \[\]v1\.OwnerReference\{.*\}: Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and ReplicaSet\/b$/);
});

test("finalizers are qualified names, standard unless prefixed, and not both orphan and foregroundDeletion", () => {
  const cases: [string[], string[]][] = [
    [["kubernetes", "orphan", "example.com/x"], []],
    [["custom"], [`metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified`]],
    [["-bad"], [`metadata.finalizers: Invalid value: "-bad": ${NAME_PART}`, `metadata.finalizers[0]: Invalid value: "-bad": name is neither a standard finalizer name nor is it fully qualified`]],
    [["orphan", "foregroundDeletion"], [`metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set`]],
  ];
  for (const [finalizers, want] of cases) assert.deepEqual(messages({ name: "x", namespace: "d", finalizers }), want, finalizers.join());
  assert.deepEqual(validateObjectMeta({ name: "x", finalizers: ["custom"] }, { namespaced: false, nameValidation: "subdomain", standardFinalizers: false }), []);
});

test("managed fields need a known operation, FieldsV1 and a printable manager", () => {
  const meta: ObjectMeta = {
    name: "x", namespace: "d",
    managedFields: [{ manager: "ok", operation: "Update" }, { manager: "tab\there", operation: "Patch" as "Update", fieldsType: "FieldsV2" as "FieldsV1" }, { manager: "m".repeat(129), operation: "Apply" }],
  };
  assert.deepEqual(messages(meta), [
    'metadata.managedFields[1].operation: Invalid value: "Patch": must be `Apply` or `Update`',
    'metadata.managedFields[1].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
    'metadata.managedFields[1].manager: Invalid value: "tab\\there": invalid character U+0009 (at position 3)',
    "metadata.managedFields[2].manager: Too long: may not be more than 128 bytes",
  ]);
});

test("updates may not change name, namespace, uid or timestamps, nor decrement generation", () => {
  const old: ObjectMeta = { name: "x", namespace: "d", uid: "u1", resourceVersion: "5", generation: 3, creationTimestamp: "2024-01-02T03:04:05Z" };
  const update = (meta: ObjectMeta): string[] => messages(meta, { ...namespaced, old });
  assert.deepEqual(update({ ...old, labels: { a: "b" } }), []);
  assert.deepEqual(update({ ...old, creationTimestamp: "2024-01-02T04:04:05+01:00" }), []);
  assert.deepEqual(update({ ...old, name: "y", namespace: "e", uid: "u2", generation: 2, resourceVersion: "" }), [
    'metadata.resourceVersion: Invalid value: "": must be specified for an update',
    "metadata.generation: Invalid value: 2: must not be decremented",
    'metadata.name: Invalid value: "y": field is immutable',
    'metadata.namespace: Invalid value: "e": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
  ]);
  assert.deepEqual(update({ ...old, creationTimestamp: "2025-06-07T08:09:10.5Z" }), ["metadata.creationTimestamp: Invalid value: 2025-06-07 08:09:10.5 +0000 UTC: field is immutable"]);
  assert.deepEqual(update({ ...old, creationTimestamp: undefined }), ["metadata.creationTimestamp: Invalid value: 0001-01-01 00:00:00 +0000 UTC: field is immutable"]);
  assert.deepEqual(update({ ...old, deletionTimestamp: "2025-01-01T00:00:00Z", deletionGracePeriodSeconds: 30 }), [
    "metadata.deletionTimestamp: Invalid value: 2025-01-01 00:00:00 +0000 UTC: field is immutable",
    "metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable",
  ]);
  assert.deepEqual(messages(old, { ...namespaced, old: { ...old, deletionTimestamp: "2025-01-01T00:00:00Z" } }), ["metadata.deletionTimestamp: Invalid value: null: field is immutable"]);
});

test("an object being deleted accepts no new finalizers", () => {
  const old: ObjectMeta = { name: "x", namespace: "d", resourceVersion: "1", deletionTimestamp: "2025-01-01T00:00:00Z", finalizers: ["kubernetes"] };
  assert.deepEqual(messages({ ...old, finalizers: ["kubernetes", "b.io/y", "a.io/x"] }, { ...namespaced, old }), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"a.io/x", "b.io/y"}',
  ]);
  assert.deepEqual(messages({ ...old, finalizers: [] }, { ...namespaced, old }), []);
});

test("field errors add up to upstream's 422 message", () => {
  const errs = validateObjectMeta({ name: "Web", namespace: "default" }, namespaced);
  assert.equal(invalidObject("Deployment", "apps", "Web", errs).message, `Deployment.apps "Web" is invalid: metadata.name: Invalid value: "Web": ${SUBDOMAIN}`);
  const nested = validateObjectMeta({ name: "x", labels: { k: "-v" } }, { namespaced: false, nameValidation: "any", path: "spec.template.metadata" });
  assert.deepEqual(nested.map(fieldErrorMessage), [`spec.template.metadata.labels: Invalid value: "-v": ${LABEL_VALUE}`]);
});
