// Quota and limit arithmetic on quantities: resource lists, pod requests with init and sidecar
// containers, what objects charge to a quota, pod constraints, and LimitRanger's constraint messages.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maxConstraint, minConstraint, ratioConstraint } from "../../../src/api/admission/limit-ranger.js";
import { add, exceeding, mask, podResources, prettyPrint, resourceList, subtractNonNegative, toJson } from "../../../src/api/admission/resource-list.js";
import { matchingResources, missingPodResources, objectUsage, scopesMatch } from "../../../src/api/admission/resource-quota/usage.js";
import { Quantity } from "../../../src/api/quantity.js";

const list = (record: Record<string, string>) => resourceList(record);
const q = (text: string) => Quantity.parse(text);
const container = (name: string, requests: Record<string, string> = {}, limits: Record<string, string> = {}, restartPolicy?: string) => ({ name, resources: { requests, limits }, ...(restartPolicy ? { restartPolicy } : {}) });

describe("resource lists", () => {
  it("adds, masks, compares and prints as upstream's prettyPrint", () => {
    const sum = add(list({ cpu: "500m", pods: "1" }), list({ cpu: "1500m", memory: "1Gi" }));
    assert.deepEqual(toJson(sum), { cpu: "2", memory: "1Gi", pods: "1" });
    assert.equal(prettyPrint(mask(sum, ["pods", "cpu", "absent"])), "cpu=2,pods=1");
    assert.deepEqual(exceeding(list({ pods: "3", cpu: "1" }), list({ pods: "2", cpu: "2" })), ["pods"]);
    assert.deepEqual(toJson(subtractNonNegative(list({ cpu: "1", pods: "1" }), list({ cpu: "2" }))), { cpu: "0", pods: "1" });
  });

  it("sums a pod's containers and raises the sum to its largest init container, counting sidecars", () => {
    const spec = {
      containers: [container("a", { cpu: "100m", memory: "64Mi" }), container("b", { cpu: "200m" })],
      initContainers: [container("init", { cpu: "1", memory: "32Mi" }), container("sidecar", { cpu: "50m" }, {}, "Always")],
    };
    assert.deepEqual(toJson(podResources(spec, "requests")), { cpu: "1", memory: "64Mi" });
    const sidecarFirst = { containers: [container("a", { cpu: "100m" })], initContainers: [container("sidecar", { cpu: "50m" }, {}, "Always"), container("init", { cpu: "200m" })] };
    assert.deepEqual(toJson(podResources(sidecarFirst, "requests")), { cpu: "250m" });
  });
});

describe("quota usage", () => {
  const pods = { group: "", resource: "pods" };
  const pod = { metadata: { name: "p" }, spec: { containers: [container("app", { cpu: "250m", memory: "128Mi" }, { cpu: "500m" })] } };

  it("charges a pod its count, requests and limits, and a finished pod nothing", () => {
    assert.deepEqual(toJson(objectUsage(pods, pod)), { "count/pods": "1", cpu: "250m", "limits.cpu": "500m", memory: "128Mi", pods: "1", "requests.cpu": "250m", "requests.memory": "128Mi" });
    assert.equal(objectUsage(pods, { ...pod, status: { phase: "Succeeded" } }).size, 0);
  });

  it("counts other kinds by count/<resource>.<group>, claims by storage and services by node ports", () => {
    assert.deepEqual(toJson(objectUsage({ group: "apps", resource: "deployments" }, {})), { "count/deployments.apps": "1" });
    assert.deepEqual(toJson(objectUsage({ group: "", resource: "configmaps" }, {})), { configmaps: "1", "count/configmaps": "1" });
    const claim = { spec: { storageClassName: "fast", resources: { requests: { storage: "5Gi" } } } };
    assert.equal(objectUsage({ group: "", resource: "persistentvolumeclaims" }, claim).get("fast.storageclass.storage.k8s.io/requests.storage")?.toString(), "5Gi");
    const service = { spec: { type: "NodePort", ports: [{ port: 80 }, { port: 443 }] } };
    assert.equal(objectUsage({ group: "", resource: "services" }, service).get("services.nodeports")?.toString(), "2");
  });

  it("matches the quota names a kind is measured in and the pod scopes", () => {
    assert.deepEqual(matchingResources(pods, ["pods", "requests.cpu", "count/deployments.apps", "services"]), ["pods", "requests.cpu"]);
    assert.deepEqual(matchingResources({ group: "apps", resource: "deployments" }, ["pods", "count/deployments.apps"]), ["count/deployments.apps"]);
    const bestEffort = { spec: { containers: [container("x")] } };
    assert.equal(scopesMatch({ spec: { scopes: ["BestEffort"] } }, pods, bestEffort), true);
    assert.equal(scopesMatch({ spec: { scopes: ["NotBestEffort"] } }, pods, bestEffort), false);
    assert.equal(scopesMatch({ spec: { scopes: ["BestEffort"] } }, { group: "", resource: "configmaps" }, {}), false);
    const high = { spec: { priorityClassName: "high", containers: [container("x")] } };
    const inHigh = { spec: { scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["high"] }] } } };
    assert.equal(scopesMatch(inHigh, pods, high), true);
    assert.equal(scopesMatch(inHigh, pods, bestEffort), false);
    assert.equal(scopesMatch({ spec: { scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "Exists" }] } } }, pods, bestEffort), false);
  });

  it("asks every container to state the cpu and memory a quota limits", () => {
    const spec = { spec: { containers: [container("a", { cpu: "1" }), container("b")] } };
    assert.equal(missingPodResources(spec, ["requests.cpu", "limits.memory", "pods"]), "must specify limits.memory for: a,b; requests.cpu for: b");
    assert.equal(missingPodResources(spec, ["pods"]), undefined);
  });
});

describe("limit ranger constraints", () => {
  it("words min, max and ratio failures as upstream", () => {
    assert.equal(minConstraint("Container", "cpu", q("100m"), list({ cpu: "50m" }), new Map()), "minimum cpu usage per Container is 100m, but request is 50m");
    assert.equal(minConstraint("Container", "cpu", q("100m"), new Map(), new Map()), "minimum cpu usage per Container is 100m.  No request is specified");
    assert.equal(maxConstraint("Pod", "memory", q("1Gi"), new Map(), list({ memory: "2Gi" })), "maximum memory usage per Pod is 1Gi, but limit is 2Gi");
    assert.equal(maxConstraint("Container", "cpu", q("1"), new Map(), new Map()), "maximum cpu usage per Container is 1.  No limit is specified");
    assert.equal(ratioConstraint("Container", "cpu", q("2"), list({ cpu: "100m" }), list({ cpu: "500m" })), "cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000");
    assert.equal(ratioConstraint("Container", "cpu", q("2"), list({ cpu: "250m" }), list({ cpu: "500m" })), undefined);
  });
});
