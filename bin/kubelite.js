#!/usr/bin/env node
// kubelite's executable: runs the compiled command line (build first with `npm run build`).
import { main } from "../dist/src/cli/main.js";

main(process.argv).catch((err) => {
  process.stderr.write(`kubelite: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
