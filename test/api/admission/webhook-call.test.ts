// A webhook behind a Service: the AdmissionReview goes over a connection the node dialer opened to
// the pod, with TLS verifying the service's name against the caBundle; a failed dial reads as Go's.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { postReview } from "../../../src/api/admission/webhook/call.js";
import type { PodDialer, WebhookEndpoint } from "../../../src/api/admission/webhook/endpoint.js";
import { startWebhookServer, type WebhookServer } from "../../support/webhook-server.js";

describe("webhook calls through the node dialer", () => {
  let webhook: WebhookServer;
  before(async () => {
    webhook = await startWebhookServer(() => ({ allowed: true }), ["hook.quiet.svc"]);
  });
  after(() => webhook.close());

  const endpoint = (): WebhookEndpoint => ({
    url: new URL("https://hook.quiet.svc:443/validate"),
    pod: { nodeName: "node-a", ip: "10.42.0.9", port: 9443 },
    serverName: "hook.quiet.svc",
    ca: Buffer.from(webhook.caBundle, "base64").toString("utf8"),
  });
  const review = { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u1", operation: "CREATE" } };

  it("dials the pod through its node and verifies the service's name", async () => {
    const dialled: string[] = [];
    const dial: PodDialer = async (nodeName, ip, port) => {
      dialled.push(`${nodeName} ${ip}:${port}`);
      return connect(webhook.port, "127.0.0.1");
    };
    const answer = (await postReview(endpoint(), review, 5, dial)) as { response: { uid: string; allowed: boolean } };
    assert.deepEqual(answer.response, { uid: "u1", allowed: true });
    assert.deepEqual(dialled, ["node-a 10.42.0.9:9443"]);
    assert.equal(webhook.received.at(-1)?.uid, "u1");
  });

  it("words a failed dial as Go's client and refuses a certificate for another name", async () => {
    const refused: PodDialer = () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
    await assert.rejects(postReview(endpoint(), review, 5, refused), { message: 'Post "https://hook.quiet.svc/validate?timeout=5s": dial tcp 10.42.0.9:9443: connect: connection refused' });
    await assert.rejects(postReview({ ...endpoint(), serverName: "other.quiet.svc" }, review, 5, async () => connect(webhook.port, "127.0.0.1")), /tls: failed to verify certificate/);
    await assert.rejects(postReview(endpoint(), review, 5, undefined), /no node agent runs here to reach pod 10.42.0.9:9443/);
  });
});
