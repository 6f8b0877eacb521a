/**
 * A real AgentGateway server for the agent's tests: grpc-js over TLS on loopback port 0, with a
 * self-signed certificate made by openssl. It implements the control plane's side of the
 * protocol the way docs/protocol.md states it (bearer check, Hello -> Welcome, heartbeats, log
 * commit rules: trim overlaps, refuse gaps; results accepted only when the whole log is
 * committed) and records everything so tests can count bytes. Not a mock: the agent under test
 * talks to it over a real TLS socket.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AgentGatewayService,
  type AgentMessage,
  type CommandAck,
  type ControlMessage,
  type ExecutionResult,
  type Hello,
  PROTOCOL_VERSION,
  REFUSAL_TRAILER,
  Refusal,
  type RegisterRequest,
  type RegisterResponse,
  type StepUpdate,
} from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";

export interface GatewaySession {
  readonly hello: Hello;
  readonly received: AgentMessage[];
  send(message: ControlMessage): void;
  /** Ends the stream with a status (default UNAVAILABLE), as a failing ingress would. */
  fail(code?: grpc.status, details?: string): void;
  /** Stop answering and acknowledging anything (a silent, half-open path). */
  silence(): void;
  readonly ended: boolean;
}

export interface GatewaySettings {
  token: string;
  heartbeatIntervalMs: number;
  deadAfterMs: number;
  maxStreamAgeMs: number;
  /** Refuse every handshake with this status (e.g. UNAUTHENTICATED), with its `Refusal` trailer if given. */
  refuse?: { code: grpc.status; details: string; refusal?: Partial<Refusal> } | undefined;
  /** Refuse Register with this status and `Refusal` trailer this many times, then answer. */
  refuseRegister?:
    | { code: grpc.status; details: string; refusal: Partial<Refusal>; times: number }
    | undefined;
  /** Do not acknowledge log chunks (tests of unacknowledged bytes). */
  holdAcks: boolean;
  /** Store at most this many log bytes per execution, then answer `limit_reached`. */
  logLimitBytes?: number | undefined;
}

/** The `assay-refusal-bin` trailer the control plane sends with a refusing status. */
const trailer = (refusal: Partial<Refusal>) => {
  const metadata = new grpc.Metadata();
  metadata.set(REFUSAL_TRAILER, Buffer.from(Refusal.encode(Refusal.fromPartial(refusal)).finish()));
  return metadata;
};

export interface TestGateway {
  readonly url: string;
  /** Identities Register issued: secret by agent id (delete one to make the gateway forget it). */
  readonly issued: Map<string, string>;
  /** When each Register call that passed the token check arrived (epoch ms). */
  readonly registerCalls: number[];
  readonly caFile: string;
  readonly settings: GatewaySettings;
  readonly sessions: GatewaySession[];
  /** The newest session that has not ended. */
  live(): GatewaySession | undefined;
  /** Committed log bytes per execution. */
  readonly logs: Map<string, Buffer>;
  /** Bytes received in chunks (before trimming), to count resends. */
  readonly receivedBytes: Map<string, number>;
  readonly results: Map<string, ExecutionResult>;
  readonly acks: CommandAck[];
  readonly stepUpdates: StepUpdate[];
  readonly goodbyes: string[];
  /** Rejected messages (a gap, a result before its log), for assertions. */
  readonly refusals: string[];
  waitFor(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Makes a self-signed certificate for localhost / 127.0.0.1 with openssl. */
export const makeCertificate = (): { dir: string; certFile: string; keyFile: string } => {
  const dir = mkdtempSync(join(tmpdir(), "assay-gw-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  return { dir, certFile, keyFile };
};

export const startTestGateway = async (overrides: Partial<GatewaySettings> = {}): Promise<TestGateway> => {
  const tls = makeCertificate();
  const settings: GatewaySettings = {
    token: "asy_agent_test",
    heartbeatIntervalMs: 15_000,
    deadAfterMs: 35_000,
    maxStreamAgeMs: 30 * 60_000,
    holdAcks: false,
    ...overrides,
  };
  const sessions: GatewaySession[] = [];
  const logs = new Map<string, Buffer>();
  const receivedBytes = new Map<string, number>();
  const results = new Map<string, ExecutionResult>();
  const acks: CommandAck[] = [];
  const stepUpdates: StepUpdate[] = [];
  const goodbyes: string[] = [];
  const refusals: string[] = [];

  const committedOf = (id: string) => logs.get(id)?.length ?? 0;
  const limited = (id: string) =>
    settings.logLimitBytes !== undefined && committedOf(id) >= settings.logLimitBytes;

  /** Identities issued by Register: secret by agent id. */
  const issued = new Map<string, string>();
  let issuedCount = 0;
  const registerCalls: number[] = [];
  const register = (
    call: grpc.ServerUnaryCall<RegisterRequest, RegisterResponse>,
    callback: grpc.sendUnaryData<RegisterResponse>,
  ) => {
    if (call.metadata.get("authorization")[0] !== `Bearer ${settings.token}`)
      return callback({ code: grpc.status.UNAUTHENTICATED, details: "the agent token is not valid" });
    registerCalls.push(Date.now());
    const refused = settings.refuseRegister;
    if (refused !== undefined && refused.times > 0) {
      refused.times--;
      return callback({ code: refused.code, details: refused.details, metadata: trailer(refused.refusal) });
    }
    issuedCount++;
    const agentId = `agt_${String(issuedCount).padStart(24, "0")}`;
    const agentSecret = `asy_agentkey_test${issuedCount}`;
    issued.set(agentId, agentSecret);
    callback(null, { agentId, agentSecret, orgId: "acme", envId: "staging" });
  };

  const connect = (call: grpc.ServerDuplexStream<AgentMessage, ControlMessage>) => {
    const auth = call.metadata.get("authorization")[0];
    let ended = false;
    let silent = false;
    let hello: Hello | undefined;
    const received: AgentMessage[] = [];
    const fail = (code = grpc.status.UNAVAILABLE, details = "closing", refusal?: Partial<Refusal>) => {
      if (ended) return;
      ended = true;
      call.emit("error", { code, details, ...(refusal ? { metadata: trailer(refusal) } : {}) });
    };
    const send = (message: ControlMessage) => {
      if (!ended) call.write(message);
    };
    call.on("error", () => {
      ended = true;
    });
    call.on("end", () => {
      if (!ended) call.end();
      ended = true;
    });
    call.on("data", (message: AgentMessage) => {
      received.push(message);
      if (silent || ended) return;
      const kind = message.kind;
      if (kind === undefined) return;
      if (hello === undefined) {
        if (kind.$case !== "hello")
          return fail(grpc.status.FAILED_PRECONDITION, "first message must be hello");
        if (auth !== `Bearer ${settings.token}`)
          return fail(grpc.status.UNAUTHENTICATED, "the agent token is not valid");
        if (settings.refuse !== undefined)
          return fail(settings.refuse.code, settings.refuse.details, settings.refuse.refusal);
        if (!issued.has(kind.value.agentId))
          return fail(grpc.status.NOT_FOUND, `agent ${kind.value.agentId} is not registered`);
        if (issued.get(kind.value.agentId) !== kind.value.agentSecret)
          return fail(
            grpc.status.PERMISSION_DENIED,
            `the agent secret does not match agent ${kind.value.agentId}`,
          );
        if (kind.value.protocolVersion !== PROTOCOL_VERSION) {
          return fail(
            grpc.status.FAILED_PRECONDITION,
            `protocol version ${kind.value.protocolVersion} is not supported`,
          );
        }
        hello = kind.value;
        sessions.push(session);
        send({
          kind: {
            $case: "welcome",
            value: {
              protocolVersion: PROTOCOL_VERSION,
              sessionId: `s${sessions.length}`,
              orgId: "acme",
              envId: "staging",
              heartbeatIntervalMs: settings.heartbeatIntervalMs,
              deadAfterMs: settings.deadAfterMs,
              maxStreamAgeMs: settings.maxStreamAgeMs,
              committed: hello.active.map((a) => ({
                executionId: a.executionId,
                committedOffset: committedOf(a.executionId),
                limitReached: limited(a.executionId),
                limitBytes: settings.logLimitBytes ?? 0,
              })),
            },
          },
        });
        return;
      }
      switch (kind.$case) {
        case "heartbeat":
          send({ kind: { $case: "heartbeat", value: { sentAtMs: Date.now(), running: 0 } } });
          break;
        case "commandAck":
          acks.push(kind.value);
          break;
        case "stepUpdate":
          stepUpdates.push(kind.value);
          break;
        case "goodbye":
          goodbyes.push(kind.value.reason);
          break;
        case "logChunk": {
          const chunk = kind.value;
          receivedBytes.set(
            chunk.executionId,
            (receivedBytes.get(chunk.executionId) ?? 0) + chunk.data.length,
          );
          const stored = logs.get(chunk.executionId) ?? Buffer.alloc(0);
          if (chunk.offset > stored.length) {
            refusals.push(`gap: ${chunk.executionId} at ${chunk.offset}, committed ${stored.length}`);
          } else {
            const fresh = Buffer.from(chunk.data).subarray(stored.length - chunk.offset);
            const limit = settings.logLimitBytes ?? Number.POSITIVE_INFINITY;
            logs.set(chunk.executionId, Buffer.concat([stored, fresh]).subarray(0, limit));
          }
          if (!settings.holdAcks) {
            send({
              kind: {
                $case: "logAck",
                value: {
                  executionId: chunk.executionId,
                  committedOffset: committedOf(chunk.executionId),
                  limitReached: limited(chunk.executionId),
                  limitBytes: settings.logLimitBytes ?? 0,
                },
              },
            });
          }
          break;
        }
        case "result": {
          const result = kind.value;
          const committedOffset = committedOf(result.executionId);
          const accepted =
            committedOffset >= result.logBytes || (result.logTruncated && limited(result.executionId));
          if (accepted) results.set(result.executionId, result);
          else
            refusals.push(`result before log: ${result.executionId} ${committedOffset} < ${result.logBytes}`);
          send({
            kind: {
              $case: "resultAck",
              value: {
                executionId: result.executionId,
                accepted,
                committedOffset,
                reason: accepted ? "" : "log incomplete",
                discard: false,
              },
            },
          });
          break;
        }
        default:
          break;
      }
    });
    const session: GatewaySession = {
      get hello() {
        return hello as Hello;
      },
      received,
      send,
      fail,
      silence() {
        silent = true;
      },
      get ended() {
        return ended;
      },
    };
  };

  const server = new grpc.Server();
  server.addService(AgentGatewayService, { connect, register });
  const credentials = grpc.ServerCredentials.createSsl(null, [
    { cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) },
  ]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );

  return {
    url: `https://localhost:${port}`,
    issued,
    registerCalls,
    caFile: tls.certFile,
    settings,
    sessions,
    live: () => sessions.filter((s) => !s.ended).at(-1),
    logs,
    receivedBytes,
    results,
    acks,
    stepUpdates,
    goodbyes,
    refusals,
    async waitFor(what, predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
};
