/**
 * The baseline: a bare @grpc/grpc-js server for the same AgentGateway service, with no
 * authentication, storage or sessions. It answers `hello` with a welcome, echoes heartbeats
 * (a round trip) and acknowledges each log chunk at once, so it holds the same streams and moves
 * the same bytes as the ingress with nothing else in the way.
 *
 * Run as a child process (`node echo-server.ts --tls|--plain CERT_DIR`) it reports its port and
 * answers `{ stats: true }` with its stream count (RSS is read from /proc by the parent) over the IPC channel.
 */
import type { ControlMessage } from "@assay/shared/proto";
import { AgentGatewayService, type AgentMessage } from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import { ensureSelfSignedCertificate } from "../../../functions/ingress/tls.ts";

export async function startEchoServer(options: { tls?: { key: Buffer; cert: Buffer } }) {
  let streams = 0;
  const server = new grpc.Server();
  const connect = (call: grpc.ServerDuplexStream<AgentMessage, ControlMessage>) => {
    streams++;
    let open = true;
    const closed = () => {
      if (open) streams--;
      open = false;
    };
    call.on("data", (m: AgentMessage) => {
      const kind = m.kind;
      if (kind?.$case === "hello") {
        call.write({
          kind: {
            $case: "welcome",
            value: {
              protocolVersion: kind.value.protocolVersion,
              sessionId: "echo",
              orgId: "o",
              envId: "e",
              heartbeatIntervalMs: 15_000,
              deadAfterMs: 35_000,
              committed: [],
              maxStreamAgeMs: 30 * 60_000,
            },
          },
        });
      } else if (kind?.$case === "heartbeat") {
        call.write({ kind: { $case: "heartbeat", value: kind.value } });
      } else if (kind?.$case === "logChunk") {
        const c = kind.value;
        call.write({
          kind: {
            $case: "logAck",
            value: {
              executionId: c.executionId,
              committedOffset: c.offset + c.data.length,
              limitReached: false,
              limitBytes: 0,
            },
          },
        });
      }
    });
    call.on("end", () => {
      closed();
      call.end();
    });
    call.on("error", closed);
    call.on("cancelled", closed);
    call.on("close", closed);
  };
  server.addService(AgentGatewayService, { connect } as grpc.UntypedServiceImplementation);
  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ private_key: options.tls.key, cert_chain: options.tls.cert }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    get streams() {
      return streams;
    },
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    forceStop: () => server.forceShutdown(),
  };
}

// Child-process mode: report the port, answer stats requests, exit when the parent goes.
if (process.argv[1] && import.meta.filename === process.argv[1] && process.send) {
  const [mode, certDir] = process.argv.slice(2);
  const tls = mode === "--tls" && certDir ? await ensureSelfSignedCertificate(certDir) : undefined;
  const echo = await startEchoServer({ tls });
  process.send({ port: echo.port });
  process.on("message", (m: { stats?: boolean }) => {
    if (m.stats) process.send?.({ streams: echo.streams });
  });
  process.on("disconnect", () => process.exit(0));
}
