// LocalLauncher (forks from the test process) against the Launcher conformance suite.
import { LocalLauncher } from "../../../src/node/launcher/local-launcher.js";
import { launcherConformance } from "./conformance.js";

launcherConformance("local", () => new LocalLauncher());
