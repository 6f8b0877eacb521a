import "../../../../test/dom.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { render, screen } from "@testing-library/react";
import { LogStore } from "../hooks/log-store.ts";
import { LogViewer } from "./log-viewer.tsx";

const bytes = (s: string) => new TextEncoder().encode(s);

/** A store fed the way the SSE stream feeds it: segments of one step and one stream each. */
const storeOf = (segments: Array<[text: string, stream: "stdout" | "stderr"]>) => {
  const store = new LogStore();
  for (const [text, stream] of segments) store.append(bytes(text), "r1", store.bytes, stream);
  return store;
};

const viewer = (store: LogStore, running: boolean) =>
  render(
    <LogViewer
      stream={{ store, version: 1, state: running ? "live" : "ended", error: undefined }}
      steps={[]}
      step={undefined}
      onStepChange={() => undefined}
      running={running}
      onDownload={async () => undefined}
    />,
  );

const rowOf = (text: string) => {
  const row = screen.getByText(text).closest(".log-line");
  assert.ok(row, `a log row holds "${text}"`);
  return row as HTMLElement;
};

test("stderr lines are marked (class, title, spoken label); stdout lines are not", () => {
  viewer(
    storeOf([
      ["compiling\n", "stdout"],
      ["warning: deprecated", "stderr"],
      [" api\nerror: boom\n", "stderr"],
      ["done\n", "stdout"],
    ]),
    false,
  );
  for (const text of ["warning: deprecated api", "error: boom"]) {
    const row = rowOf(text);
    assert.equal(row.dataset.stream, "stderr");
    assert.ok(row.classList.contains("log-line-stderr"));
    assert.equal(row.getAttribute("title"), "Written to stderr");
    assert.equal(row.querySelector(".visually-hidden")?.textContent, "stderr: ");
  }
  for (const text of ["compiling", "done"]) {
    const row = rowOf(text);
    assert.equal(row.dataset.stream, undefined);
    assert.ok(!row.classList.contains("log-line-stderr"));
    assert.equal(row.querySelector(".visually-hidden"), null);
  }
});

test("a live line still being written to stderr is marked before its line feed arrives", () => {
  viewer(
    storeOf([
      ["ok\n", "stdout"],
      ["retrying in 5s", "stderr"],
    ]),
    true,
  );
  assert.equal(rowOf("retrying in 5s").dataset.stream, "stderr");
  assert.equal(rowOf("ok").dataset.stream, undefined);
});

test("a stdout line that a stderr write only ends (its line feed) counts as stderr, the next one not", () => {
  const store = storeOf([
    ["progress ", "stdout"],
    ["failed\n", "stderr"],
    ["next\n", "stdout"],
  ]);
  assert.equal(store.line(0).stream, "stderr");
  assert.equal(store.line(0).raw, "progress failed");
  assert.equal(store.line(1).stream, "stdout");
});
