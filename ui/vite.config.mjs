// The web UI's build: Preact sources in ui/ → dist/ui (served by `serve`). No CDN: everything
// the page needs is in the bundle.
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [preact()],
  logLevel: 'warn',
  build: { outDir: '../dist/ui', emptyOutDir: true, target: 'es2022', sourcemap: false },
});
