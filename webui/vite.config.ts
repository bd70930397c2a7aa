// The web UI's build: Vite's own JSX transform (oxc) with Preact's runtime, no Babel. Everything it
// emits is an external, hashed file: the admin listener's CSP allows no inline script or style.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    // A Pi on the school's network: modern Chromium/Safari/Firefox only, and no module preload
    // polyfill (it would be an inline script).
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
  },
});
