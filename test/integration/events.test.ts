// Events recorded by a component show where users look: `kubectl describe` (field selectors on
// involvedObject), `kubectl get events` and `kubectl events`; repeats aggregate into one Event.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CORE_V1 } from "../../src/client/client.js";
import { EventRecorder } from "../../src/client/event-recorder.js";
import { createLogger } from "../../src/log.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("events", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("aggregates repeats and shows them in describe, get events and kubectl events", async () => {
    const client = server.client({ name: "kubelite-admin", groups: ["system:masters", "system:authenticated"] }, "kube-controller-manager");
    // A kind no controller acts on, so that only this test's events are about it.
    const configMap = await client.create(CORE_V1("configmaps"), "default", { metadata: { name: "web" }, data: { a: "1" } });
    const recorder = new EventRecorder({ client, component: "test-controller", log: createLogger("error") });
    await recorder.event(configMap, "Normal", "Synced", "Synced the web settings");
    await recorder.event(configMap, "Normal", "Synced", "Synced the web settings");
    await recorder.event(configMap, "Warning", "FailedSync", "quota exceeded");

    const events = await client.list(CORE_V1("events"), { namespace: "default", fieldSelector: "involvedObject.name=web,reason=Synced" });
    assert.equal(events.items.length, 1);
    assert.equal(events.items[0]!.count, 2);

    const describe = await server.kubectl(["describe", "configmap", "web"]);
    assert.equal(describe.code, 0, describe.stderr);
    assert.match(describe.stdout, /Normal\s+Synced\s+\S+ \(x2 over \S+\)\s+test-controller\s+Synced the web settings/);
    assert.match(describe.stdout, /Warning\s+FailedSync\s+\S+\s+test-controller\s+quota exceeded/);

    const get = await server.kubectl(["get", "events"]);
    assert.match(get.stdout, /LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    assert.match(get.stdout, /Warning\s+FailedSync\s+configmap\/web\s+quota exceeded/);

    const kevents = await server.kubectl(["events", "--for", "configmap/web"]);
    assert.equal(kevents.code, 0, kevents.stderr);
    assert.match(kevents.stdout, /Synced/);
  });
});
