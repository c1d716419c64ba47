import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The admin portal's build: static files in web/portal/dist, served by Identity with the
 * assets under /portal/assets/ (src/identity/portal). JSX through esbuild (React's automatic
 * runtime); no inline scripts (the pages' CSP forbids them), so no module preload polyfill.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/portal/",
  logLevel: "warn",
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
