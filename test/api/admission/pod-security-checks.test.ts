// The Pod Security Standards checks, table-driven: each case is a pod and the ForbiddenDetail
// upstream's evaluator gives it at a level and version ("" = allowed).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PodSpec } from "../../../src/api/admission/pod-security/check.js";
import { forbiddenDetail, PodSecurityEvaluator } from "../../../src/api/admission/pod-security/evaluator.js";
import { parsePodSecurityDefault } from "../../../src/api/admission/pod-security/configuration.js";
import { existingPodWarnings } from "../../../src/api/admission/pod-security/existing-pods.js";
import { LATEST, type Level, policyFromLabels, type Version } from "../../../src/api/admission/pod-security/policy.js";

const evaluator = new PodSecurityEvaluator();
const container = (extra: Record<string, unknown> = {}) => ({ name: "c", image: "busybox", ...extra });
const hardened = { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };

function detail(level: Level, spec: PodSpec, annotations: Record<string, string> = {}, version: Version = LATEST): string {
  return forbiddenDetail(evaluator.evaluate({ level, version }, { annotations }, spec));
}

describe("pod security checks", () => {
  const baselineCases: Array<[string, PodSpec, string]> = [
    ["a plain pod", { containers: [container()] }, ""],
    ["host namespaces", { hostNetwork: true, hostPID: true, hostIPC: true, containers: [container()] }, "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)"],
    ["privileged containers", { containers: [container({ securityContext: { privileged: true } }), { name: "d", securityContext: { privileged: true } }] }, 'privileged (containers "c", "d" must not set securityContext.privileged=true)'],
    ["added capabilities", { containers: [container({ securityContext: { capabilities: { add: ["NET_ADMIN", "CHOWN", "SYS_ADMIN"] } } })] }, 'non-default capabilities (container "c" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)'],
    ["hostPath volumes", { containers: [container()], volumes: [{ name: "a", hostPath: { path: "/" } }, { name: "b", emptyDir: {} }] }, 'hostPath volumes (volume "a")'],
    ["host ports", { containers: [container({ ports: [{ hostPort: 80 }, { hostPort: 443 }] })] }, 'hostPort (container "c" uses hostPorts 443, 80)'],
    ["an unconfined AppArmor profile", { securityContext: { appArmorProfile: { type: "Unconfined" } }, containers: [container()] }, 'forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined")'],
    ["SELinux user and type", { containers: [container({ securityContext: { seLinuxOptions: { type: "spc_t", user: "root" } } })] }, 'seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)'],
    ["an unmasked /proc", { containers: [container({ securityContext: { procMount: "Unmasked" } })] }, 'procMount (container "c" must not set securityContext.procMount to "Unmasked")'],
    ["seccomp Unconfined", { securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [container()] }, 'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")'],
    ["unsafe sysctls", { securityContext: { sysctls: [{ name: "kernel.msgmax" }, { name: "net.ipv4.tcp_rmem" }] }, containers: [container()] }, "forbidden sysctls (kernel.msgmax)"],
    ["Windows host processes", { securityContext: { windowsOptions: { hostProcess: true } }, containers: [container({ securityContext: { windowsOptions: { hostProcess: true } } })] }, 'hostProcess (pod and container "c" must not set securityContext.windowsOptions.hostProcess=true)'],
  ];
  for (const [name, spec, expected] of baselineCases) {
    it(`baseline: ${name}`, () => assert.equal(detail("baseline", spec), expected));
  }

  const restrictedCases: Array<[string, PodSpec, string]> = [
    ["a hardened pod", { containers: [container({ securityContext: hardened })] }, ""],
    ["pod-level runAsNonRoot and seccomp cover the containers", { securityContext: { runAsNonRoot: true, seccompProfile: { type: "Localhost" } }, containers: [container({ securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } } })] }, ""],
    ["root user", { securityContext: { runAsUser: 0 }, containers: [container({ securityContext: { ...hardened, runAsUser: 0 } })] }, 'runAsUser=0 (pod and container "c" must not set runAsUser=0)'],
    ["runAsNonRoot false", { containers: [container({ securityContext: { ...hardened, runAsNonRoot: false } })] }, 'runAsNonRoot != true (container "c" must not set securityContext.runAsNonRoot=false)'],
    ["a restricted volume type replaces the hostPath check", { containers: [container({ securityContext: hardened })], volumes: [{ name: "h", hostPath: {} }, { name: "n", nfs: {} }] }, 'restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs")'],
    ["capabilities beyond NET_BIND_SERVICE", { containers: [container({ securityContext: { ...hardened, capabilities: { add: ["CHOWN"] } } })] }, 'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "CHOWN" in securityContext.capabilities.add)'],
    ["Windows pods skip Linux-only checks", { os: { name: "windows" }, securityContext: { runAsNonRoot: true }, containers: [container()] }, ""],
  ];
  for (const [name, spec, expected] of restrictedCases) {
    it(`restricted: ${name}`, () => assert.equal(detail("restricted", spec), expected));
  }

  it("older versions use the checks of their time", () => {
    const spec: PodSpec = { securityContext: { sysctls: [{ name: "net.ipv4.tcp_rmem" }] }, containers: [container()] };
    assert.equal(detail("baseline", spec, {}, { latest: false, minor: 31 }), "forbidden sysctls (net.ipv4.tcp_rmem)");
    assert.equal(detail("baseline", spec, {}, { latest: false, minor: 40 }), "");
    const annotated = detail("baseline", { containers: [container()] }, { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" }, { latest: false, minor: 18 });
    assert.equal(annotated, 'seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")');
  });

  it("namespace labels override the default, and enforce raises warn", () => {
    const defaults = parsePodSecurityDefault("enforce=baseline,warn=baseline");
    const { policy, errors } = policyFromLabels({ "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.30" }, defaults);
    assert.deepEqual(errors, []);
    assert.deepEqual(policy.warn, { level: "restricted", version: { latest: false, minor: 30 } });
    assert.equal(policy.audit.level, "privileged");
    const bad = policyFromLabels({ "pod-security.kubernetes.io/enforce": "strict" }, defaults);
    assert.equal(bad.policy.enforce.level, "restricted");
    assert.equal(bad.errors[0]?.field, "metadata.labels[pod-security.kubernetes.io/enforce]");
    assert.throws(() => parsePodSecurityDefault("enforce=strict"), /the level must be one of privileged, baseline, restricted/);
    assert.throws(() => parsePodSecurityDefault("block=baseline"), /the key must be one of enforce, audit, warn/);
  });

  it("summarises existing pods that break a tightened level, one line per distinct violation", () => {
    const pod = (name: string, spec: PodSpec, owner?: string) => ({ metadata: { name, ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: owner, controller: true }] } : {}) }, spec });
    const privileged = { containers: [container({ securityContext: { privileged: true } })] };
    const pods = [pod("web-b", privileged, "rs"), pod("web-a", privileged, "rs"), pod("web-c", privileged, "rs"), pod("host", { hostPID: true, containers: [container()] }), pod("fine", { containers: [container()] })];
    const warnings = existingPodWarnings({ namespace: "prod", enforce: { level: "baseline", version: LATEST }, pods, evaluator, now: () => 0 });
    assert.deepEqual(warnings, ['existing pods in namespace "prod" violate the new PodSecurity enforce level "baseline:latest"', "host: host namespaces", "web-a (and 2 other pods): privileged"]);
  });
});
