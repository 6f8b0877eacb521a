/**
 * An in-process Bus for the single-process local control plane (and anywhere one process is the
 * whole world). Same semantics as core NATS: at most once, no persistence, per-subscriber order,
 * `*` / `>` wildcards, delivery asynchronous to the publisher, each subscriber its own copy of
 * the bytes.
 *
 * Subscriptions live in a token trie, so a publish costs time in proportion to the subject's
 * depth and the matching subscriptions, not to every subscription in the process (thousands of
 * live log viewers each subscribe to their own `exec.{id}.log`). Emptied branches are pruned.
 */
import { AppError } from "@assay/shared";
import type { Bus, BusMessage, Logger } from "../../core/ports.ts";
import { parsePublishSubject, parseSubscribePattern } from "../shared/bus-subjects.ts";

interface Subscription {
  handler: (message: BusMessage) => void;
  active: boolean;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Subscriptions whose pattern ends at this node. */
  exact: Set<Subscription>;
  /** Subscriptions whose pattern ends with `>` right after this node. */
  rest: Set<Subscription>;
}

const newNode = (): TrieNode => ({ children: new Map(), exact: new Set(), rest: new Set() });

const isEmpty = (node: TrieNode): boolean =>
  node.children.size === 0 && node.exact.size === 0 && node.rest.size === 0;

const collect = (node: TrieNode, tokens: string[], i: number, out: Subscription[]): void => {
  if (i === tokens.length) {
    out.push(...node.exact);
    return;
  }
  // `>` needs at least one more token, which there is.
  out.push(...node.rest);
  const token = tokens[i] ?? "";
  const literal = node.children.get(token);
  if (literal !== undefined) collect(literal, tokens, i + 1, out);
  const star = node.children.get("*");
  if (star !== undefined) collect(star, tokens, i + 1, out);
};

/** Removes a subscription and prunes branches left empty; returns whether `node` is now empty. */
const remove = (node: TrieNode, tokens: string[], i: number, sub: Subscription): boolean => {
  if (i === tokens.length) node.exact.delete(sub);
  else if (tokens[i] === ">") node.rest.delete(sub);
  else {
    const token = tokens[i] ?? "";
    const child = node.children.get(token);
    if (child !== undefined && remove(child, tokens, i + 1, sub)) node.children.delete(token);
  }
  return isEmpty(node);
};

export interface MemoryBusOptions {
  /** Receives errors thrown by handlers (which never reach the publisher). */
  logger?: Logger;
}

/** Creates an in-process bus. */
export const createMemoryBus = (options: MemoryBusOptions = {}): Bus => {
  let root = newNode();
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw new AppError("unavailable", "the bus is closed");
  };

  return {
    async publish(subject, data) {
      ensureOpen();
      const tokens = parsePublishSubject(subject);
      const targets: Subscription[] = [];
      collect(root, tokens, 0, targets);
      if (targets.length === 0) return;
      // Snapshot now: the publisher may reuse its buffer as soon as publish returns.
      const snapshot = data.slice();
      // One microtask per publish keeps messages in publish order for every subscriber, and no
      // handler ever runs inside publish (no re-entrancy into the publisher).
      queueMicrotask(() => {
        const shared = targets.length === 1;
        for (const sub of targets) {
          if (!sub.active) continue;
          try {
            sub.handler({ subject, data: shared ? snapshot : snapshot.slice() });
          } catch (error) {
            options.logger?.error({ subject, err: String(error) }, "bus handler threw");
          }
        }
      });
    },

    async subscribe(pattern, handler) {
      ensureOpen();
      const tokens = parseSubscribePattern(pattern);
      const sub: Subscription = { handler, active: true };
      let node = root;
      const last = tokens.length - 1;
      for (const [i, token] of tokens.entries()) {
        if (i === last && token === ">") {
          node.rest.add(sub);
          break;
        }
        let child = node.children.get(token);
        if (child === undefined) {
          child = newNode();
          node.children.set(token, child);
        }
        node = child;
        if (i === last) node.exact.add(sub);
      }
      const owner = root;
      return () => {
        if (!sub.active) return;
        sub.active = false;
        if (owner === root) remove(root, tokens, 0, sub);
      };
    },

    async close() {
      closed = true;
      root = newNode();
    },
  };
};
