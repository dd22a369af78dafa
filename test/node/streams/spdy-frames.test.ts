import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeFrame, encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSettings, encodeSynReply, encodeSynStream,
  encodeWindowUpdate, FrameParser, RstStatus,
} from "../../../src/node/streaming/spdy/frames.js";
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCodec } from "../../../src/node/streaming/spdy/header-block.js";
import { SPDY3_DICTIONARY } from "../../../src/node/streaming/spdy/dictionary.js";

describe("SPDY/3.1 frames", () => {
  it("round-trips every control frame kubectl's port-forward uses", () => {
    const block = Buffer.from([1, 2, 3]);
    assert.deepEqual(decodeFrame(encodeSynStream({ streamId: 5, priority: 2, fin: true, headerBlock: block })), {
      type: "syn_stream", streamId: 5, associatedStreamId: 0, priority: 2, fin: true, unidirectional: false, headerBlock: block,
    });
    assert.deepEqual(decodeFrame(encodeSynReply(5, block, false)), { type: "syn_reply", streamId: 5, fin: false, headerBlock: block });
    assert.deepEqual(decodeFrame(encodeRstStream(7, RstStatus.Cancel)), { type: "rst_stream", streamId: 7, status: 5 });
    assert.deepEqual(decodeFrame(encodePing(9)), { type: "ping", id: 9 });
    assert.deepEqual(decodeFrame(encodeGoAway(11, 1)), { type: "goaway", lastGoodStreamId: 11, status: 1 });
    assert.deepEqual(decodeFrame(encodeWindowUpdate(3, 65536)), { type: "window_update", streamId: 3, delta: 65536 });
    assert.deepEqual(decodeFrame(encodeSettings([{ id: 7, value: 1000 }])), { type: "settings", entries: [{ id: 7, flags: 0, value: 1000 }] });
  });

  it("writes the control bit, version 3 and the 24-bit length in the header", () => {
    const frame = encodePing(1);
    assert.deepEqual([...frame.subarray(0, 8)], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04]);
    const data = encodeData(3, Buffer.from("hi"), true);
    assert.deepEqual([...data.subarray(0, 8)], [0, 0, 0, 3, 1, 0, 0, 2]);
  });

  it("cuts a byte stream into frames however it is split", () => {
    const bytes = Buffer.concat([encodeData(1, Buffer.from("hello"), false), encodePing(2), encodeData(1, Buffer.alloc(0), true)]);
    const parser = new FrameParser();
    const frames = [];
    for (const byte of bytes) frames.push(...parser.push(Buffer.from([byte])));
    assert.deepEqual(frames.map((f) => f.type), ["data", "ping", "data"]);
    assert.deepEqual(frames[0], { type: "data", streamId: 1, fin: false, data: Buffer.from("hello") });
    assert.equal(frames[2]?.type === "data" && frames[2].fin, true);
  });
});

describe("SPDY/3 header blocks", () => {
  it("has the 1423-byte dictionary of the SPDY/3 draft", () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString("latin1"), "\0\0\0\x07options");
    assert.ok(SPDY3_DICTIONARY.toString("latin1").endsWith("enq=0."));
  });

  it("encodes names lowercased and several values joined by NUL", () => {
    const headers = decodeHeaderBlock(encodeHeaderBlock(new Map([["StreamType", ["data"]], ["x", ["a", "b"]]])));
    assert.deepEqual([...headers], [["streamtype", ["data"]], ["x", ["a", "b"]]]);
  });

  it("compresses with one zlib context per direction that the peer can follow block after block", async () => {
    const client = new HeaderCodec();
    const server = new HeaderCodec();
    const first = new Map([["streamtype", ["error"]], ["port", ["8080"]], ["requestid", ["0"]]]);
    const second = new Map([["streamtype", ["data"]], ["port", ["8080"]], ["requestid", ["0"]]]);
    const a = await client.compress(first);
    const b = await client.compress(second);
    assert.ok(b.length < a.length, "the second block reuses the first one's history");
    assert.deepEqual(await server.decompress(a), first);
    assert.deepEqual(await server.decompress(b), second);
    assert.deepEqual(await client.decompress(await server.compress(new Map())), new Map());
    client.close();
    server.close();
  });
});
