/**
 * JUnit XML to a test report. "JUnit XML" is a family, not a standard: this reads the shapes
 * the common producers write (pytest, jest-junit, Maven surefire, Playwright, go-junit-report,
 * Gradle, PHPUnit-style nested suites):
 *
 * - the root is `<testsuites>` or a lone `<testsuite>`; suites may nest (flattened, with the
 *   parent names joined by ` › `);
 * - `<testcase name classname time file>` with an optional `<failure>`, `<error>` or
 *   `<skipped>` child (message from the `message` attribute, stack from the body);
 *   surefire's `<flakyFailure>` / `<rerunFailure>` alone mean the case passed on a rerun;
 * - `time` is seconds (some tools write `1,234.5`).
 *
 * Counts are computed from the cases, never trusted from the attributes. The XML parser is
 * fast-xml-parser (no entity expansion beyond the predefined ones, no external resources), loaded
 * on the first report parsed: the API Lambda reaches this module at init (through the report
 * counts) but never parses XML, and the parser is ~65 KB of start-up code.
 */
import type { TestCase, TestCounts, TestSuite } from "@assay/shared";
import type { XMLParser } from "fast-xml-parser";

/** Files larger than this are not parsed (recorded as unreadable). */
export const MAX_JUNIT_BYTES = 20 * 1024 * 1024;

type Node = Record<string, unknown>;

const ARRAYS = new Set([
  "testsuite",
  "testcase",
  "failure",
  "error",
  "skipped",
  "flakyFailure",
  "rerunFailure",
]);

let parser: Promise<XMLParser> | undefined;
const loadParser = (): Promise<XMLParser> => {
  parser ??= import("fast-xml-parser").then(
    ({ XMLParser }) =>
      new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: "@",
        textNodeName: "#text",
        parseAttributeValue: false,
        parseTagValue: false,
        trimValues: false,
        processEntities: true,
        isArray: (name) => ARRAYS.has(name),
      }),
  );
  parser.catch(() => {
    parser = undefined; // a failed load is retried on the next report
  });
  return parser;
};

/** True when the bytes look like a JUnit report (cheap sniff of the first kilobytes). */
export const looksLikeJUnit = (head: Uint8Array): boolean =>
  /<testsuites?[\s>/]/.test(new TextDecoder().decode(head.subarray(0, 4096)));

const text = (value: unknown): string => {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return text((value as Node)["#text"]);
  return String(value);
};

const attr = (node: Node, name: string): string | undefined => {
  const value = node[`@${name}`];
  return value === undefined ? undefined : String(value);
};

const seconds = (value: string | undefined): number => {
  const n = Number((value ?? "").replace(/,/g, ""));
  return Number.isFinite(n) && n > 0 ? Math.round(n * 1000 * 1000) / 1000 : 0;
};

const list = (value: unknown): Node[] =>
  Array.isArray(value) ? (value.filter((v) => v !== null && typeof v === "object") as Node[]) : [];

/** The first of `<failure>`/`<error>`/`<skipped>` children, as a case status. */
const toCase = (node: Node): TestCase => {
  const pick = (tag: string): Node | undefined => {
    const items = node[tag];
    if (!Array.isArray(items) || items.length === 0) return undefined;
    const first = items[0];
    // A child without attributes parses to its text (`<skipped/>` to ""): still that status.
    return first !== null && typeof first === "object" ? (first as Node) : { "#text": text(first) };
  };
  const failure = pick("failure");
  const error = pick("error");
  const skipped = pick("skipped");
  const status = failure ? "failed" : error ? "error" : skipped ? "skipped" : "passed";
  const detail = failure ?? error ?? skipped;
  const message = detail ? (attr(detail, "message") ?? "") : "";
  const stack = detail ? text(detail).trim() : "";
  const testCase: TestCase = {
    name: attr(node, "name") ?? "(unnamed)",
    className: attr(node, "classname") ?? attr(node, "class") ?? "",
    status,
    durationMs: seconds(attr(node, "time")),
  };
  if (message || (stack && status !== "skipped")) testCase.message = message || stack.split("\n")[0];
  if (stack && stack !== testCase.message) testCase.stack = stack;
  const file = attr(node, "file");
  if (file) testCase.file = file;
  return testCase;
};

export const countCases = (cases: readonly TestCase[]): TestCounts => {
  const counts: TestCounts = { tests: cases.length, passed: 0, failed: 0, errors: 0, skipped: 0 };
  for (const c of cases) {
    if (c.status === "passed") counts.passed++;
    else if (c.status === "failed") counts.failed++;
    else if (c.status === "error") counts.errors++;
    else counts.skipped++;
  }
  return counts;
};

const collectSuites = (node: Node, source: string, parents: string[], out: TestSuite[]): void => {
  const name = attr(node, "name") ?? "";
  const path = name ? [...parents, name] : parents;
  const cases = list(node.testcase).map(toCase);
  if (cases.length > 0) {
    const summed = cases.reduce((sum, c) => sum + c.durationMs, 0);
    out.push({
      name: path.join(" › ") || source,
      source,
      durationMs: seconds(attr(node, "time")) || summed,
      counts: countCases(cases),
      cases,
    });
  }
  for (const child of list(node.testsuite)) collectSuites(child, source, path, out);
};

/**
 * Parses one JUnit XML document (`source` names the file in the report). Throws an Error with a
 * readable message when the XML is malformed or is not a JUnit report.
 */
export async function parseJUnit(xml: string | Uint8Array, source: string): Promise<TestSuite[]> {
  const body = typeof xml === "string" ? xml : new TextDecoder().decode(xml);
  if (body.length > MAX_JUNIT_BYTES) throw new Error(`larger than ${MAX_JUNIT_BYTES} bytes`);
  const xmlParser = await loadParser();
  let doc: Node;
  try {
    doc = xmlParser.parse(body, true) as Node;
  } catch (error) {
    throw new Error(`not well-formed XML: ${(error as Error).message.split("\n")[0]}`);
  }
  const out: TestSuite[] = [];
  const root = doc.testsuites;
  if (root !== undefined) {
    const roots = Array.isArray(root) ? root : [root];
    for (const r of roots) {
      // A `<testsuites>` name (jest's "jest tests", Playwright's run id) is not a suite level.
      if (r !== null && typeof r === "object")
        for (const s of list((r as Node).testsuite)) collectSuites(s, source, [], out);
    }
  } else if (doc.testsuite !== undefined) {
    for (const s of list(doc.testsuite)) collectSuites(s, source, [], out);
  } else {
    throw new Error("no <testsuites> or <testsuite> root element");
  }
  return out;
}
