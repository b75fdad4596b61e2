// Bundles the explorer (web/src) with esbuild and prepares every file the binary embeds.
// Usage: node build.mjs OUTDIR. React and ReactDOM stay globals from their UMD builds, so the
// explorer and GraphiQL (loaded only in 开发者模式) share one React instance.
//
// Each file gets a content-hashed name (explorer.3f9c0a1b2c.js) so the server can let browsers
// keep it for a year, and a gzip and a brotli copy made here once, at the highest levels, instead
// of compressing 1 MB of GraphiQL on every request. OUTDIR/manifest.tsv lists
// `name<TAB>hashed name`, which build.rs turns into the server's table of assets.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const VENDOR = {
  'react.production.min.js': 'node_modules/react/umd/react.production.min.js',
  'react-dom.production.min.js': 'node_modules/react-dom/umd/react-dom.production.min.js',
  'graphiql.min.js': 'node_modules/graphiql/graphiql.min.js',
  'graphiql.min.css': 'node_modules/graphiql/graphiql.min.css',
};

const outdir = process.argv[2] || 'dist';
const staging = join(outdir, '.bundle');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });

await build({
  // The designer (管理 → 表定义, with its TOML library) is a bundle of its own, loaded only when a
  // 质量部 administrator opens it: collectors never download it.
  entryPoints: { explorer: 'src/main.jsx', designer: 'src/designer/main.jsx' },
  bundle: true,
  format: 'iife',
  minify: true,
  sourcemap: false,
  target: ['chrome100', 'firefox100', 'safari15'],
  jsx: 'transform',
  jsxFactory: 'React.createElement',
  jsxFragment: 'React.Fragment',
  charset: 'utf8',
  outdir: staging,
  logLevel: 'warning',
});

const files = { ...VENDOR };
for (const f of readdirSync(staging)) files[f] = join(staging, f);

const manifest = [];
for (const [name, from] of Object.entries(files).sort()) {
  const body = readFileSync(from);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const dot = name.indexOf('.');
  const hashed = `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
  writeFileSync(join(outdir, hashed), body);
  writeFileSync(join(outdir, `${hashed}.gz`), gzipSync(body, { level: 9 }));
  writeFileSync(
    join(outdir, `${hashed}.br`),
    brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  );
  manifest.push(`${name}\t${hashed}`);
}
rmSync(staging, { recursive: true, force: true });
writeFileSync(join(outdir, 'manifest.tsv'), `${manifest.join('\n')}\n`);
