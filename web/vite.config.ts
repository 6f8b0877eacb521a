/**
 * Dashboard build. The API lives on the same origin in every deployment (the local server and
 * CloudFront both route /v1 to it), so the dev server proxies /v1 to a local control plane
 * (`npm start`, port 8080 unless ASSAY_API_URL says otherwise).
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.ASSAY_API_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // The lazy editor chunk (CodeMirror + the shared parser) is large by nature; the initial JS is what counts.
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, target: "es2022", chunkSizeWarningLimit: 800 },
  server: { proxy: { "/v1": { target: api, changeOrigin: false } } },
});
