// Events recorded by a component show where users look: `kubectl describe` (field selectors on
// involvedObject), `kubectl get events` and `kubectl events`; repeats aggregate into one Event.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { APPS_V1, CORE_V1 } from "../../src/client/client.js";
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
    const client = server.client({ name: "system:kube-controller-manager", groups: ["system:authenticated"] }, "kube-controller-manager");
    const deployment = await client.create(APPS_V1("deployments"), "default", {
      metadata: { name: "web" },
      spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } } },
    });
    const recorder = new EventRecorder({ client, component: "deployment-controller", log: createLogger("error") });
    await recorder.event(deployment, "Normal", "ScalingReplicaSet", "Scaled up replica set web-5d4f8 to 1");
    await recorder.event(deployment, "Normal", "ScalingReplicaSet", "Scaled up replica set web-5d4f8 to 1");
    await recorder.event(deployment, "Warning", "FailedCreate", "quota exceeded");

    const events = await client.list(CORE_V1("events"), { namespace: "default", fieldSelector: "involvedObject.name=web,reason=ScalingReplicaSet" });
    assert.equal(events.items.length, 1);
    assert.equal(events.items[0]!.count, 2);

    const describe = await server.kubectl(["describe", "deployment", "web"]);
    assert.equal(describe.code, 0, describe.stderr);
    assert.match(describe.stdout, /Normal\s+ScalingReplicaSet\s+\S+ \(x2 over \S+\)\s+deployment-controller\s+Scaled up replica set web-5d4f8 to 1/);
    assert.match(describe.stdout, /Warning\s+FailedCreate\s+\S+\s+deployment-controller\s+quota exceeded/);

    const get = await server.kubectl(["get", "events"]);
    assert.match(get.stdout, /LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    assert.match(get.stdout, /Warning\s+FailedCreate\s+deployment\/web\s+quota exceeded/);

    const kevents = await server.kubectl(["events", "--for", "deployment/web"]);
    assert.equal(kevents.code, 0, kevents.stderr);
    assert.match(kevents.stdout, /ScalingReplicaSet/);
  });
});
