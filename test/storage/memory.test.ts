// Runs the Store conformance suite against the in-memory backend (which keeps nothing across close).
import { MemoryStore } from "../../src/storage/memory.js";
import { storeConformance } from "./conformance.js";

storeConformance("memory", async () => {
  const store = new MemoryStore({ compaction: false });
  return { store, cleanup: () => store.close() };
});
