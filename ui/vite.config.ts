import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The built UI is loaded from the Tauri custom protocol and from `counterfoil serve` at /, so
// asset URLs are relative. The Tauri CSP forbids inline scripts: Vite emits one module script
// file and no inline script as long as no modulepreload polyfill is injected.
export default defineConfig({
  base: './',
  plugins: [svelte()],
  // `npm run dev` talks to a `counterfoil serve` running on its default address.
  server: {
    proxy: { '/rpc': 'http://127.0.0.1:8787' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
