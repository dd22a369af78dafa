#!/usr/bin/env -S node --max-semi-space-size=64
// kubelite's executable: runs the compiled command line (build first with `npm run build`).
// The larger young generation (64 MB semi-spaces instead of 16) lets the server's short-lived
// request and event objects die in fewer scavenges: a fifth less CPU in garbage collection under
// load. `npm start` and the benchmarks pass the same flag.
import { main } from "../dist/src/cli/main.js";

main(process.argv).catch((err) => {
  process.stderr.write(`kubelite: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
