// upstream's dropTypeDependentFields (pkg/registry/core/service/strategy.go): when an update turns a
// Service into a type that no longer uses a field the server filled in, and the request left that
// field as it was, the field is cleared, so `kubectl patch svc x -p '{"spec":{"type":"ClusterIP"}}'`
// works on a NodePort Service (its node ports go back to the allocator) and a LoadBalancer's status
// goes once it is not one.
import type { KubeObject } from "../resource.js";
import { jsonEqual, numberAt, recordAt, recordsAt, type JsonRecord } from "./object-fields.js";
import { isExternallyAccessible } from "./service-validation.js";

export function dropTypeDependentFields(obj: KubeObject, old: KubeObject): void {
  const spec = recordAt(obj, "spec");
  const oldSpec = recordAt(old, "spec");
  if (!spec || !oldSpec) return;
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (spec.clusterIP === oldSpec.clusterIP && jsonEqual(spec.clusterIPs, oldSpec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (jsonEqual(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === oldSpec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(oldSpec) && !needsNodePorts(spec) && sameNodePorts(spec, oldSpec)) {
    for (const port of recordsAt(spec, "ports")) delete port.nodePort;
  }
  if (needsHealthCheckNodePort(oldSpec) && !needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (oldSpec.type === "LoadBalancer" && spec.type !== "LoadBalancer") {
    if (spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === oldSpec.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (isExternallyAccessible(oldSpec) && !isExternallyAccessible(spec) && spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type !== "LoadBalancer") obj.status = { ...recordAt(obj, "status"), loadBalancer: {} };
}

function needsClusterIP(spec: JsonRecord): boolean {
  return spec.type !== "ExternalName";
}

function needsNodePorts(spec: JsonRecord): boolean {
  return spec.type === "NodePort" || spec.type === "LoadBalancer";
}

function needsHealthCheckNodePort(spec: JsonRecord): boolean {
  return spec.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local";
}

/** Both ask for the same node ports (upstream sameNodePorts compares the sets in use). */
function sameNodePorts(spec: JsonRecord, oldSpec: JsonRecord): boolean {
  const used = (s: JsonRecord) => [...new Set(recordsAt(s, "ports").map((p) => numberAt(p, "nodePort") ?? 0).filter((n) => n > 0))].sort();
  return jsonEqual(used(spec), used(oldSpec));
}
