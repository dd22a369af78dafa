// `kubelite secrets status|rotate-key`: Secrets encryption at rest on a running server, through the
// API with the kubeconfig's credentials (a cluster administrator's). rotate-key seals every Secret
// with a new key and then forgets the old one; the server keeps serving throughout.
import type { Command } from "commander";
import type { EncryptionStatus, RotationResult } from "../api/secrets-encryption.js";

interface SecretsFlags {
  kubeconfig?: string;
  context?: string;
}

export function registerSecretsCommand(program: Command): Command {
  const secrets = program.command("secrets").description("Manage the encryption of Secrets at rest (AES-GCM, keys in the server's data dir).");
  const withConnection = (command: Command) =>
    command.option("--kubeconfig <file>", "kubeconfig of a cluster administrator (default: $KUBECONFIG or ./.kubelite/kubeconfig.yaml)").option("--context <name>", "kubeconfig context to use");
  withConnection(secrets.command("status").description("Show the encryption keys and how many Secrets each one seals.")).action(async (flags: SecretsFlags) => {
    const status = await call<EncryptionStatus>(flags, "GET", "");
    process.stdout.write(describeStatus(status));
  });
  withConnection(secrets.command("rotate-key").description("Encrypt every Secret with a new key, then drop the old key.")).action(async (flags: SecretsFlags) => {
    const result = await call<RotationResult>(flags, "POST", "/rotate-key");
    process.stdout.write(`rotated: ${result.previousKey} -> ${result.primaryKey}, ${result.rewritten} Secret(s) encrypted again\n${describeStatus(result)}`);
  });
  return secrets;
}

async function call<T>(flags: SecretsFlags, method: string, suffix: string): Promise<T> {
  const [{ readKubeconfig }, { HttpClient }, { SECRETS_ENCRYPTION_PATH }] = await Promise.all([
    import("../auth/kubeconfig-reader.js"),
    import("../client/http.js"),
    import("../api/secrets-encryption.js"),
  ]);
  const client = new HttpClient({ ...(await readKubeconfig(flags.kubeconfig, flags.context).catch(fail)), userAgent: "kubelite-secrets" });
  try {
    return await client.request<T>(method, `${SECRETS_ENCRYPTION_PATH}${suffix}`).catch(fail);
  } finally {
    client.close();
  }
}

function describeStatus(status: EncryptionStatus): string {
  const lines = [`provider: ${status.provider} (resources: ${status.resources.join(", ")})`, `primary key: ${status.primaryKey}`];
  for (const name of status.keys) lines.push(`key ${name}: ${status.sealedBy[name] ?? 0} Secret(s)`);
  if (status.sealedBy.identity) lines.push(`not encrypted yet: ${status.sealedBy.identity} Secret(s)`);
  return `${lines.join("\n")}\n`;
}

function fail(err: Error): never {
  process.stderr.write(`error: ${err.message}\n`);
  process.exit(1);
}
