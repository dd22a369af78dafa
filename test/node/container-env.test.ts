// A container's environment: envFrom, env with $(VAR) references, ConfigMap and Secret keys, the
// downward API and resources, and the CreateContainerConfigError messages for what is missing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { containerEnvironment, ContainerConfigError, expandReferences, type ConfigSource } from "../../src/node/container-env.js";
import type { ContainerSpec, Pod } from "../../src/node/pod-types.js";

const objects: Record<string, KubeObject> = {
  "cm/team/settings": { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { MODE: "fast", LEVEL: "3" } },
  "secret/team/creds": { apiVersion: "v1", kind: "Secret", metadata: { name: "creds" }, data: { password: Buffer.from("s3cr3t").toString("base64") } },
};
const config: ConfigSource = {
  configMap: async (ns, name) => objects[`cm/${ns}/${name}`],
  secret: async (ns, name) => objects[`secret/${ns}/${name}`],
};

function pod(container: ContainerSpec): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "team", uid: "u-1", labels: { app: "web" } }, spec: { nodeName: "n1", containers: [container] } };
}

async function envOf(container: ContainerSpec): Promise<Record<string, string>> {
  const list = await containerEnvironment({ pod: pod(container), container, hostIP: "10.0.0.1", podIPs: ["10.42.0.7"], nodeAllocatable: { cpu: "2", memory: "4Gi" }, config });
  return Object.fromEntries(list.map((e) => [e.name, e.value]));
}

describe("container environment", () => {
  it("takes envFrom first, then env entries that may refer to earlier variables", async () => {
    const env = await envOf({
      name: "c",
      envFrom: [{ configMapRef: { name: "settings" } }, { prefix: "S_", secretRef: { name: "creds" } }],
      env: [
        { name: "URL", value: "http://$(MODE):$(PORT)/$$(KEEP)" },
        { name: "PORT", value: "8080" },
        { name: "MODE", value: "slow" },
      ],
    });
    assert.deepEqual(env, { MODE: "slow", LEVEL: "3", S_password: "s3cr3t", URL: "http://fast:$(PORT)/$(KEEP)", PORT: "8080" });
  });

  it("reads keys, the downward API and resources", async () => {
    const env = await envOf({
      name: "c",
      resources: { limits: { memory: "64Mi" }, requests: { cpu: "250m" } },
      env: [
        { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "settings", key: "LEVEL" } } },
        { name: "PW", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
        { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
        { name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
        { name: "CPU_REQ", valueFrom: { resourceFieldRef: { resource: "requests.cpu", divisor: "1m" } } },
        { name: "CPU_LIMIT", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
      ],
    });
    assert.deepEqual(env, { LEVEL: "3", PW: "s3cr3t", POD: "web-1", APP: "web", IP: "10.42.0.7", NODE: "n1", MEM: "64", CPU_REQ: "250", CPU_LIMIT: "2" });
  });

  it("names what is missing, as upstream words it, unless optional", async () => {
    const cases: [ContainerSpec, string][] = [
      [{ name: "c", envFrom: [{ configMapRef: { name: "nope" } }] }, 'configmap "nope" not found'],
      [{ name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "gone", key: "k" } } }] }, 'secret "gone" not found'],
      [{ name: "c", env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "settings", key: "NOPE" } } }] }, "couldn't find key NOPE in ConfigMap team/settings"],
    ];
    for (const [container, message] of cases) {
      await assert.rejects(envOf(container), (err: unknown) => err instanceof ContainerConfigError && err.message === message && err.reason === "CreateContainerConfigError");
    }
    const optional = await envOf({ name: "c", env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "nope", key: "k", optional: true } } }] });
    assert.deepEqual(optional, {});
  });

  it("expands references as upstream: $$ escapes, unknown names stay", () => {
    const env = new Map([["A", "1"]]);
    assert.equal(expandReferences("$(A)-$(B)-$$(A)-$", env), "1-$(B)-$(A)-$");
  });
});
