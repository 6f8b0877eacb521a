/**
 * A browser-like document for component tests (happy-dom), imported first by every `*.test.tsx`:
 * it installs `window`, `document` and friends as globals, tells React it runs under `act()`, and
 * unmounts what a test rendered once it ends so tests never see each other's DOM.
 */
import { GlobalRegistrator } from "@happy-dom/global-registrator";

GlobalRegistrator.register({ url: "http://localhost/", width: 1280, height: 800 });
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const { cleanup } = await import("@testing-library/react");
const { afterEach } = await import("node:test");
afterEach(() => cleanup());
