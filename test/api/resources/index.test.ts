// The registry of built-in kinds: every kind once per group/version, the discovery facts kubectl
// relies on (short names, categories, verbs, subresources) and the field selectors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builtinResources, checkUnique } from "../../../src/api/resources/index.js";

const defs = builtinResources();
const byPlural = (group: string, plural: string) => defs.find((d) => d.group === group && d.plural === plural);

test("no group/version serves a plural or a kind twice", () => {
  const keys = defs.flatMap((d) => [`${d.group}/${d.version}/${d.plural}`, `${d.group}/${d.version}/kind:${d.kind}`]);
  assert.equal(new Set(keys).size, keys.length);
  assert.throws(() => checkUnique([...defs, defs[0]!]), /duplicate resource definition: v1 resource namespaces/);
});

test("every short name kubectl users type resolves to its resource", () => {
  const expected: [string, string, string][] = [
    ["po", "", "pods"], ["deploy", "apps", "deployments"], ["rs", "apps", "replicasets"], ["svc", "", "services"], ["ns", "", "namespaces"], ["no", "", "nodes"],
    ["cm", "", "configmaps"], ["sts", "apps", "statefulsets"], ["ds", "apps", "daemonsets"], ["hpa", "autoscaling", "horizontalpodautoscalers"],
    ["pvc", "", "persistentvolumeclaims"], ["pv", "", "persistentvolumes"], ["sa", "", "serviceaccounts"], ["ing", "networking.k8s.io", "ingresses"],
    ["netpol", "networking.k8s.io", "networkpolicies"], ["ep", "", "endpoints"], ["cj", "batch", "cronjobs"], ["crd", "apiextensions.k8s.io", "customresourcedefinitions"],
    ["crds", "apiextensions.k8s.io", "customresourcedefinitions"], ["ev", "", "events"], ["ev", "events.k8s.io", "events"], ["limits", "", "limitranges"],
    ["quota", "", "resourcequotas"], ["pdb", "policy", "poddisruptionbudgets"], ["pc", "scheduling.k8s.io", "priorityclasses"], ["sc", "storage.k8s.io", "storageclasses"],
    ["csr", "certificates.k8s.io", "certificatesigningrequests"],
  ];
  for (const [short, group, plural] of expected) assert.ok(byPlural(group, plural)?.shortNames?.includes(short), `${short} → ${group}/${plural}`);
});

test("`kubectl get all` covers upstream's category members, and nothing else", () => {
  const all = defs.filter((d) => d.categories?.includes("all")).map((d) => `${d.group}/${d.version}/${d.plural}`).sort();
  assert.deepEqual(all, [
    "/v1/pods", "/v1/services", "apps/v1/daemonsets", "apps/v1/deployments", "apps/v1/replicasets", "apps/v1/statefulsets",
    "autoscaling/v1/horizontalpodautoscalers", "autoscaling/v2/horizontalpodautoscalers", "batch/v1/cronjobs", "batch/v1/jobs",
  ]);
});

test("scope, verbs and subresources match upstream discovery", () => {
  const clusterScoped = defs.filter((d) => !d.namespaced).map((d) => d.plural).sort();
  assert.deepEqual(clusterScoped, ["certificatesigningrequests", "clusterpolicies", "clusterrolebindings", "clusterroles", "customresourcedefinitions", "ingressclasses", "namespaces", "nodes", "persistentvolumes", "priorityclasses", "storageclasses"]);
  assert.deepEqual(byPlural("", "namespaces")?.verbs, ["create", "delete", "get", "list", "patch", "update", "watch"]);
  const scaled = defs.filter((d) => d.scale).map((d) => d.plural).sort();
  assert.deepEqual(scaled, ["deployments", "replicasets", "statefulsets"]);
  for (const plural of ["pods", "services", "nodes", "namespaces", "persistentvolumes", "persistentvolumeclaims", "resourcequotas"]) assert.ok(byPlural("", plural)?.statusSubresource, plural);
  for (const plural of ["configmaps", "secrets", "events", "endpoints", "serviceaccounts", "limitranges"]) assert.ok(!byPlural("", plural)?.statusSubresource, plural);
  assert.ok(!byPlural("networking.k8s.io", "networkpolicies")?.statusSubresource);
  assert.ok(!byPlural("coordination.k8s.io", "leases")?.statusSubresource);
});

test("field selectors read upstream's fields, with absent values as empty strings", () => {
  const pods = byPlural("", "pods")?.fieldSelectors ?? {};
  const pod = { spec: { restartPolicy: "Always" }, status: { phase: "Pending", podIPs: [{ ip: "10.42.0.3" }] } };
  assert.deepEqual(
    Object.fromEntries(Object.entries(pods).map(([field, read]) => [field, read(pod)])),
    { "spec.nodeName": "", "spec.restartPolicy": "Always", "spec.schedulerName": "", "spec.serviceAccountName": "", "spec.hostNetwork": "false", "status.phase": "Pending", "status.podIP": "10.42.0.3", "status.nominatedNodeName": "" },
  );
  const events = byPlural("", "events")?.fieldSelectors ?? {};
  assert.deepEqual(Object.keys(events).sort(), [
    "involvedObject.apiVersion", "involvedObject.fieldPath", "involvedObject.kind", "involvedObject.name", "involvedObject.namespace",
    "involvedObject.resourceVersion", "involvedObject.uid", "reason", "reportingComponent", "source", "type",
  ]);
  assert.equal(events.source?.({ reportingComponent: "kubelite" }), "kubelite");
  assert.equal(byPlural("", "secrets")?.fieldSelectors?.type?.({ type: "Opaque" }), "Opaque");
  assert.equal(byPlural("", "nodes")?.fieldSelectors?.["spec.unschedulable"]?.({ spec: { unschedulable: true } }), "true");
  assert.equal(byPlural("", "namespaces")?.fieldSelectors?.["status.phase"]?.({ status: { phase: "Active" } }), "Active");
  assert.equal(byPlural("batch", "jobs")?.fieldSelectors?.["status.successful"]?.({ status: { succeeded: 2 } }), "2");
  assert.equal(byPlural("apps", "replicasets")?.fieldSelectors?.["status.replicas"]?.({}), "0");
  assert.equal(byPlural("", "services")?.fieldSelectors?.["spec.clusterIP"]?.({ spec: { clusterIP: "None" } }), "None");
});

test("names follow each kind's rule", () => {
  const rules = Object.fromEntries(defs.filter((d) => d.nameValidation).map((d) => [`${d.group}/${d.plural}`, d.nameValidation]));
  assert.deepEqual(rules, {
    "/namespaces": "label", "/services": "dns1035", "apps/statefulsets": "label", "rbac.authorization.k8s.io/roles": "path-segment",
    "rbac.authorization.k8s.io/clusterroles": "path-segment", "rbac.authorization.k8s.io/rolebindings": "path-segment", "rbac.authorization.k8s.io/clusterrolebindings": "path-segment",
    "certificates.k8s.io/certificatesigningrequests": "path-segment",
  });
});
