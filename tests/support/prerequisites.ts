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
  // The Docker runtime's contract and conformance suites run containers on a real engine.
  const docker = spawnSync("docker", ["version", "--format", "{{.Server.Version}}"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  if (docker.error || docker.status !== 0) {
    missing.push("a Docker engine answering on its socket (apt-get install -y docker.io; start dockerd)");
  }
  const busybox = spawnSync("/bin/busybox", ["true"]);
  if (busybox.error)
    missing.push(
      "a static busybox at /bin/busybox for the Docker runtime (apt-get install -y busybox-static)",
    );
  return missing;
}
