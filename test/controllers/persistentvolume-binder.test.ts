// The PV binder and its companions against a real in-process server: a claim naming its volume
// binds to it alone (and is refused one too small, with VolumeMismatch); a claim without a class
// gets a default class that appears later (retroactive assignment); Recycle fails as unsupported;
// a volume being deleted waits while Bound (pv-protection).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client } from "../../src/client/client.js";
import { STORAGE_CLASSES } from "../../src/controllers/persistentvolume/volume-objects.js";
import type { TestServer } from "../support/test-server.js";
import { startAdminServer } from "./fixtures.js";
import { waitFor } from "./mark-ready.js";

const PVS = CORE_V1("persistentvolumes");
const PVCS = CORE_V1("persistentvolumeclaims");
const EVENTS = CORE_V1("events");

const pv = (name: string, size: string, spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name },
  spec: { capacity: { storage: size }, accessModes: ["ReadWriteOnce"], storageClassName: "manual", hostPath: { path: `/tmp/kubelite-binder-${name}` }, ...spec },
});
const pvc = (name: string, size: string, spec: Record<string, unknown> = { storageClassName: "manual" }): KubeObject => ({
  metadata: { name },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } }, ...spec },
});

describe("persistent volume binder", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory" }));
  });
  after(() => server.close());

  const phaseOf = async (ref: typeof PVS, namespace: string | undefined, name: string) => ((await client.get(ref, namespace, name)).status as { phase?: string } | undefined)?.phase;
  const eventsOf = async (name: string) => (await client.list(EVENTS, { namespace: "default" })).items.filter((e) => (e.involvedObject as { name?: string }).name === name);

  it("binds a claim that names its volume to that volume, though another fits better", async () => {
    await client.create(PVS, undefined, pv("chosen", "10Gi"));
    await client.create(PVS, undefined, pv("better", "1Gi"));
    await client.create(PVCS, "default", pvc("named", "1Gi", { storageClassName: "manual", volumeName: "chosen" }));
    await waitFor(async () => (await phaseOf(PVCS, "default", "named")) === "Bound", "the claim to bind");
    const volume = await client.get(PVS, undefined, "chosen");
    assert.equal((volume.spec as { claimRef: { name: string } }).claimRef.name, "named");
    assert.equal(await phaseOf(PVS, undefined, "chosen"), "Bound");
    assert.equal(await phaseOf(PVS, undefined, "better"), "Available");
  });

  it("refuses a named volume too small for the claim with VolumeMismatch", async () => {
    await client.create(PVS, undefined, pv("tiny", "1Mi"));
    await client.create(PVCS, "default", pvc("too-big", "1Gi", { storageClassName: "manual", volumeName: "tiny" }));
    await waitFor(async () => (await eventsOf("too-big")).some((e) => e.reason === "VolumeMismatch"), "the VolumeMismatch event");
    const event = (await eventsOf("too-big")).find((e) => e.reason === "VolumeMismatch");
    assert.equal(event?.message, 'Cannot bind to requested volume "tiny": requested PV is too small');
    assert.equal(await phaseOf(PVCS, "default", "too-big"), "Pending");
  });

  it("gives a claim created without any default class the default class that appears later", async () => {
    await client.delete(STORAGE_CLASSES, undefined, "local-path");
    await waitFor(async () => (await client.list(STORAGE_CLASSES)).items.length === 0, "the default class to go");
    await client.create(PVCS, "default", pvc("classless", "1Gi", {}));
    await waitFor(async () => (await eventsOf("classless")).some((e) => e.reason === "FailedBinding"), "the FailedBinding event");
    assert.equal((await eventsOf("classless")).find((e) => e.reason === "FailedBinding")?.message, "no persistent volumes available for this claim and no storage class is set");
    await client.create(STORAGE_CLASSES, undefined, { metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, provisioner: "example.com/nfs" });
    await waitFor(async () => ((await client.get(PVCS, "default", "classless")).spec as { storageClassName?: string }).storageClassName === "standard", "the default class to be assigned");
    await waitFor(async () => (await eventsOf("classless")).some((e) => e.reason === "ExternalProvisioning"), "the ExternalProvisioning event");
    const annotations = (await client.get(PVCS, "default", "classless")).metadata?.annotations ?? {};
    assert.equal(annotations["volume.kubernetes.io/storage-provisioner"], "example.com/nfs");
  });

  it("fails a released Recycle volume: recycling is not supported", async () => {
    await client.create(PVS, undefined, pv("recycled", "1Gi", { persistentVolumeReclaimPolicy: "Recycle", storageClassName: "recycle" }));
    await client.create(PVCS, "default", pvc("short-lived", "1Gi", { storageClassName: "recycle" }));
    await waitFor(async () => (await phaseOf(PVCS, "default", "short-lived")) === "Bound", "the claim to bind");
    await client.delete(PVCS, "default", "short-lived");
    await waitFor(async () => (await phaseOf(PVS, undefined, "recycled")) === "Failed", "the volume to fail");
    const volume = await client.get(PVS, undefined, "recycled");
    assert.equal((volume.status as { message?: string }).message, "No recycler plugin found for the volume!");
  });

  it("keeps a Bound volume being deleted until its claim lets it go (pv-protection)", async () => {
    await client.delete(PVS, undefined, "chosen");
    const deleting = await client.get(PVS, undefined, "chosen");
    assert.ok(deleting.metadata?.deletionTimestamp);
    assert.deepEqual(deleting.metadata?.finalizers, ["kubernetes.io/pv-protection"]);
    await client.delete(PVCS, "default", "named");
    await waitFor(async () => !(await client.list(PVS)).items.some((v) => v.metadata?.name === "chosen"), "the volume to go");
  });
});
