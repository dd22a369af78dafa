// `kubelite kubeconfig --user NAME [--group G]...`: a kubeconfig for another person or tool, with a
// client certificate for that user and those groups issued by the cluster CA in the data dir
// (how kube-apiserver's x509 authenticator reads CN and O). Printed, or written with mode 0600 to --out.
import { Command } from "commander";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { flag } from "./flags.js";

interface KubeconfigFlags {
  user: string;
  group: string[];
  dataDir: string;
  out?: string;
  duration: number;
  server?: string;
}

const HOURS_PER_DAY = 24;

export function registerKubeconfigCommand(program: Command): Command {
  const command = program.command("kubeconfig").description("Write a kubeconfig with a client certificate for a user and groups, signed by the cluster CA.");
  command
    .requiredOption("--user <name>", "the user name (the certificate's CN)", flag(parseUser))
    .option("--group <group>", "a group the user is in (the certificate's O); repeat for more", (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option("--data-dir <dir>", "the server's data dir (its CA signs the certificate)", "./.kubelite")
    .option("--out <file>", "write the kubeconfig here (mode 0600) instead of printing it")
    .option("--duration <hours>", "how long the certificate is valid, e.g. 720h or 30d", flag(parseDurationDays), 365)
    .option("--server <url>", "the API server URL (default: the one in DATA_DIR/kubeconfig.yaml)");
  return command.action(async (flags: KubeconfigFlags) => {
    const [{ loadOrCreatePKI }, { renderKubeconfig, writeKubeconfig }, { readFileIfExists }] = await Promise.all([
      import("../auth/pki.js"),
      import("../auth/kubeconfig.js"),
      import("../auth/credential-files.js"),
    ]);
    const dataDir = resolve(flags.dataDir);
    let pki;
    try {
      pki = await loadOrCreatePKI({ dataDir, requireCA: true });
    } catch (err) {
      process.stderr.write(`kubelite kubeconfig: ${(err as Error).message}\n`);
      process.exit(1);
    }
    const credentials = await pki.issueClientCertificate({ user: flags.user, groups: flags.group, validityDays: flags.duration });
    const adminKubeconfig = await readFileIfExists(join(dataDir, "kubeconfig.yaml"));
    const server = flags.server ?? serverOf(adminKubeconfig, parseYaml) ?? "https://127.0.0.1:6443";
    const options = { server, caPem: pki.caCertPem, certPem: credentials.certPem, keyPem: credentials.keyPem, user: flags.user };
    if (flags.out) {
      await writeKubeconfig(resolve(flags.out), options);
      process.stdout.write(`kubelite kubeconfig: wrote ${flags.out} for user ${flags.user}${flags.group.length ? ` (groups ${flags.group.join(", ")})` : ""}\n`);
    } else {
      process.stdout.write(renderKubeconfig(options));
    }
  });
}

function parseUser(value: string): string {
  if (value.trim() === "") throw new Error("the user name must not be empty");
  return value;
}

/** "720h", "30d", "90m" (at least a minute) as a number of days. */
export function parseDurationDays(value: string): number {
  const match = /^(\d+)(d|h|m)$/.exec(value.trim());
  if (!match) throw new Error(`${value} is not a duration like 720h, 30d or 90m`);
  const amount = Number(match[1]);
  const days = match[2] === "d" ? amount : match[2] === "h" ? amount / HOURS_PER_DAY : amount / (HOURS_PER_DAY * 60);
  if (!(days > 0)) throw new Error(`${value} must be longer than zero`);
  return days;
}

function serverOf(kubeconfig: string | undefined, parse: (text: string) => unknown): string | undefined {
  if (kubeconfig === undefined) return undefined;
  const config = parse(kubeconfig) as { clusters?: { cluster?: { server?: string } }[] } | null;
  return config?.clusters?.[0]?.cluster?.server;
}
