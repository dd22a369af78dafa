import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeChannelMessage, encodeChannelMessage, encodeCloseSignal, exitStatus, parseResize,
} from "../../../src/node/streaming/channel-protocol.js";

describe("the remotecommand channel protocol", () => {
  it("prefixes each message with its channel byte", () => {
    assert.deepEqual([...encodeChannelMessage(1, "hi")], [1, 0x68, 0x69]);
    assert.deepEqual(decodeChannelMessage(Buffer.from([0, 0x61]), true), { kind: "data", channel: 0, data: Buffer.from("a") });
  });

  it("reads 255 as a stream close only in v5", () => {
    assert.deepEqual(decodeChannelMessage(encodeCloseSignal(0), true), { kind: "close", channel: 0 });
    assert.deepEqual(decodeChannelMessage(encodeCloseSignal(0), false), { kind: "data", channel: 255, data: Buffer.from([0]) });
    assert.throws(() => decodeChannelMessage(Buffer.from([255, 0, 1]), true));
    assert.equal(decodeChannelMessage(Buffer.alloc(0), true), undefined);
  });

  it("reports exit codes as the kubelet does", () => {
    assert.deepEqual(JSON.parse(exitStatus(0, ["true"])), { metadata: {}, status: "Success" });
    const failure = JSON.parse(exitStatus(3, ["sh", "-c", "exit 3"])) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
    assert.equal(failure.status, "Failure");
    assert.equal(failure.reason, "NonZeroExitCode");
    assert.deepEqual(failure.details.causes, [{ reason: "ExitCode", message: "3" }]);
  });

  it("parses resize messages", () => {
    assert.deepEqual(parseResize(Buffer.from('{"Width":120,"Height":40}')), { width: 120, height: 40 });
    assert.equal(parseResize(Buffer.from("nonsense")), undefined);
  });
});
