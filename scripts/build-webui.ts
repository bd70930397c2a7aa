// Builds the web UI (webui/ → webui/dist) with Vite and measures what a first visit downloads:
// the entry script and every script it imports statically, gzip-compressed, against the issue's
// budget of 150 KB (a Pi on a school network, tablets on busy Wi-Fi). It also refuses an
// index.html with inline script or style, which the admin listener's CSP would block.
// Scripts and styles are also written pre-compressed (.gz, .br) beside themselves, which the admin
// listener sends to a browser that accepts them, so the measured size is what crosses the Wi-Fi.
// Run by `npm run build`; the browser tests call buildWebui().
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build } from 'vite';

const REPO = resolve(import.meta.dirname, '..');
export const WEBUI_DIR = join(REPO, 'webui');
export const WEBUI_DIST = join(WEBUI_DIR, 'dist');
/** The budget for the first load's JavaScript, compressed. */
export const FIRST_LOAD_BUDGET_KB = 150;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

/** The entry's files and everything they import statically (lazy chunks are not a first load). */
export function firstLoadFiles(manifest: Record<string, ManifestChunk>): { js: string[]; css: string[] } {
  const entries = Object.entries(manifest).filter(([, c]) => c.isEntry === true);
  if (entries.length === 0) throw new Error('the Vite manifest names no entry chunk');
  const seen = new Set<string>();
  const js: string[] = [];
  const css = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (chunk === undefined) throw new Error(`the Vite manifest has no chunk ${key}`);
    if (chunk.file.endsWith('.js')) js.push(chunk.file);
    for (const c of chunk.css ?? []) css.add(c);
    for (const i of chunk.imports ?? []) visit(i);
  };
  for (const [key] of entries) visit(key);
  return { js, css: [...css] };
}

/** Inline script, inline style or style attributes in the built page: each would break under the CSP. */
export function inlineProblems(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc=/.test(m[1]!) || m[2]!.trim() !== '') problems.push(`inline script: ${m[0].slice(0, 80)}`);
  }
  if (/<style\b/i.test(html)) problems.push('an inline <style> element');
  if (/\sstyle\s*=/i.test(html)) problems.push('a style= attribute');
  if (/\son[a-z]+\s*=/i.test(html)) problems.push('an inline event handler attribute');
  return problems;
}

export interface WebuiBuild {
  firstLoadJsGzipBytes: number;
  files: { js: string[]; css: string[] };
}

export async function buildWebui(options: { quiet?: boolean } = {}): Promise<WebuiBuild> {
  await build({
    configFile: join(WEBUI_DIR, 'vite.config.ts'),
    root: WEBUI_DIR,
    logLevel: options.quiet ? 'warn' : 'info',
  });
  const assets = join(WEBUI_DIST, 'assets');
  for (const name of readdirSync(assets).filter((f) => /\.(js|css|svg)$/.test(f))) {
    const body = readFileSync(join(assets, name));
    writeFileSync(join(assets, `${name}.gz`), gzipSync(body, { level: 9 }));
    writeFileSync(join(assets, `${name}.br`), brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
  }
  return readWebuiBuild();
}

/**
 * What the build in webui/dist loads first, read without building: the browser tests build once
 * for all their files and each reads the result here.
 */
export function readWebuiBuild(): WebuiBuild {
  const manifest = JSON.parse(readFileSync(join(WEBUI_DIST, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const files = firstLoadFiles(manifest);
  const problems = inlineProblems(readFileSync(join(WEBUI_DIST, 'index.html'), 'utf8'));
  if (problems.length > 0) throw new Error(`webui/dist/index.html would break the CSP: ${problems.join('; ')}`);
  const firstLoadJsGzipBytes = files.js.reduce((sum, f) => sum + readFileSync(join(WEBUI_DIST, `${f}.gz`)).length, 0);
  return { firstLoadJsGzipBytes, files };
}

if (import.meta.filename === process.argv[1]) {
  const result = await buildWebui();
  const kb = result.firstLoadJsGzipBytes / 1024;
  console.log(`webui_first_load_js_gzip_kb=${kb.toFixed(1)} (${result.files.js.join(', ')}; budget ${FIRST_LOAD_BUDGET_KB})`);
  if (kb > FIRST_LOAD_BUDGET_KB) {
    console.error(`the web UI's first load is ${kb.toFixed(1)} KB of compressed JavaScript, over the ${FIRST_LOAD_BUDGET_KB} KB budget`);
    process.exit(1);
  }
}
