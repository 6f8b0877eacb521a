/**
 * Follows an execution's log over SSE into a LogStore. Renders are batched to one per animation
 * frame however fast segments arrive. The stream sends what is stored first, then live bytes,
 * and ends after the execution finished and every byte was sent; status events let the page
 * refresh the execution without polling hard.
 */
import { type ExecutionStatus, parseLogStreamEvent } from "@assay/shared";
import { useEffect, useRef, useState } from "react";
import { envPath } from "../../../api/client.ts";
import { errorMessage } from "../../../api/errors.ts";
import { followSse } from "../../../api/sse.ts";
import { decodeBase64, LogStore } from "./log-store.ts";

export type LogStreamState = "connecting" | "live" | "ended" | "error";

export interface LogStream {
  store: LogStore;
  version: number;
  state: LogStreamState;
  error: string | undefined;
}

export function useLogStream(
  org: string,
  env: string,
  executionId: string,
  onStatus: (status: ExecutionStatus) => void,
): LogStream {
  const [store, setStore] = useState(() => new LogStore());
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<LogStreamState>("connecting");
  const [error, setError] = useState<string>();
  const statusRef = useRef(onStatus);
  statusRef.current = onStatus;

  useEffect(() => {
    const fresh = new LogStore();
    setStore(fresh);
    setState("connecting");
    setError(undefined);
    const controller = new AbortController();
    let frame = 0;
    const bump = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    const url = `${envPath(org, env)}/executions/${encodeURIComponent(executionId)}/logs`;
    void followSse(url, {
      signal: controller.signal,
      onEvent: (raw) => {
        const event = parseLogStreamEvent(raw);
        if (event?.kind === "log") {
          fresh.append(decodeBase64(event.data), event.step, event.offset, event.stream);
          setState("live");
          bump();
        } else if (event?.kind === "status") {
          setState((s) => (s === "connecting" ? "live" : s));
          statusRef.current(event.status);
        } else if (event?.kind === "end") {
          statusRef.current(event.status);
          setState("ended");
          bump();
          return "stop";
        }
        return undefined;
      },
      onError: (e) => {
        setState("error");
        setError(errorMessage(e));
      },
    });
    return () => {
      controller.abort();
      cancelAnimationFrame(frame);
    };
  }, [org, env, executionId]);

  return { store, version, state, error };
}
