// Bundles the explorer (web/src) into one script and one stylesheet with esbuild.
// Usage: node build.mjs OUTDIR. React, ReactDOM and GraphiQL stay globals from their UMD builds,
// so the explorer shares the exact React instance GraphiQL renders with.
import { build } from 'esbuild';

const outdir = process.argv[2] || 'dist';
await build({
  entryPoints: { explorer: 'src/main.jsx' },
  bundle: true,
  format: 'iife',
  minify: true,
  sourcemap: false,
  target: ['chrome100', 'firefox100', 'safari15'],
  jsx: 'transform',
  jsxFactory: 'React.createElement',
  jsxFragment: 'React.Fragment',
  charset: 'utf8',
  outdir,
  logLevel: 'warning',
});
