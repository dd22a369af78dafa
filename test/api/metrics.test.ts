// The API server's request metrics count every request, also those answered before the metrics
// registry (and prom-client) was first needed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiMetrics } from "../../src/api/metrics.js";

const request = (method: string) => ({ method }) as IncomingMessage;
const response = (statusCode: number) => ({ statusCode }) as ServerResponse;

describe("API metrics", () => {
  it("counts requests answered before and after the registry was first used", async () => {
    const metrics = new ApiMetrics(false);
    const started = process.hrtime.bigint();
    metrics.observe(request("GET"), response(200), started);
    metrics.observe(request("POST"), response(201), started);
    assert.ok(metrics.registry); // what the parts that start after the API do
    metrics.observe(request("GET"), response(200), started);
    const text = await metrics.render();
    assert.match(text, /^apiserver_request_total\{verb="GET",code="200"\} 2$/m);
    assert.match(text, /^apiserver_request_total\{verb="POST",code="201"\} 1$/m);
    assert.match(text, /^apiserver_request_duration_seconds_count\{verb="GET"\} 2$/m);
  });
});
