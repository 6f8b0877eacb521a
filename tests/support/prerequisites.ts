import { spawnSync } from "node:child_process";

/** Returns what the machine lacks for the test suite, each with the package to install. */
export function checkPrerequisites(): string[] {
  const missing: string[] = [];
  const java = spawnSync("java", ["-version"], { encoding: "utf8" });
  const javaVersion = /version "(\d+)/.exec(`${java.stderr ?? ""}${java.stdout ?? ""}`)?.[1];
  if (java.error || !javaVersion || Number(javaVersion) < 17) {
    missing.push("Java 17+ for DynamoDB Local (apt-get install -y openjdk-17-jre-headless)");
  }
  const nats = spawnSync("nats-server", ["--version"], { encoding: "utf8" });
  if (nats.error) missing.push("nats-server (apt-get install -y nats-server)");
  return missing;
}
