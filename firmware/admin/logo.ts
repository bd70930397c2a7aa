// The school's logo: one small image in DATA_DIR/branding/, not in the configuration file (which
// `schoolgate config show` prints and backups diff as text). Accepted by its first bytes, never by
// a name or a declared type. An SVG is not sanitised: it is only ever shown through <img> (where
// no script in it runs) and served with a CSP that forbids scripts and sandboxes it, so opening
// its address directly runs nothing either.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '../config/durable-file.ts';

export const MAX_LOGO_BYTES = 256 * 1024;
export const LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export type LogoType = 'image/png' | 'image/jpeg' | 'image/svg+xml';
const EXTENSIONS: Record<LogoType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/svg+xml': 'svg' };

export class LogoError extends Error {}

/** The image type the bytes are, by their magic bytes (an SVG by its opening element), or a reason it is refused. */
export function logoType(bytes: Uint8Array): LogoType {
  if (bytes.length === 0) throw new LogoError('the file is empty');
  if (bytes.length > MAX_LOGO_BYTES) throw new LogoError(`the file is ${Math.ceil(bytes.length / 1024)} KB: a logo may be at most 256 KB`);
  const starts = (magic: number[]) => magic.every((b, i) => bytes[i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, '');
  // An XML declaration, comments and a doctype may come before the <svg> element.
  if (/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head)) return 'image/svg+xml';
  throw new LogoError('this is not a PNG, JPEG or SVG image');
}

export interface StoredLogo {
  type: LogoType;
  bytes: Buffer;
}

export class LogoStore {
  readonly dir: string;
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'branding');
  }

  async read(): Promise<StoredLogo | null> {
    for (const type of Object.keys(EXTENSIONS) as LogoType[]) {
      try {
        return { type, bytes: await readFile(join(this.dir, `logo.${EXTENSIONS[type]}`)) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return null;
  }

  /** Whether a logo is stored: asked while a page is rendered, so synchronous (a few stat calls). */
  present(): boolean {
    return (Object.keys(EXTENSIONS) as LogoType[]).some((type) => existsSync(join(this.dir, `logo.${EXTENSIONS[type]}`)));
  }

  /** Checks then stores the image; the previous logo is removed only once the new one is whole on disk. */
  async save(bytes: Uint8Array): Promise<LogoType> {
    const type = logoType(bytes);
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    await writeFileDurably(join(this.dir, `logo.${EXTENSIONS[type]}`), bytes, { mode: 0o644 });
    for (const other of Object.keys(EXTENSIONS) as LogoType[]) {
      if (other !== type) await rm(join(this.dir, `logo.${EXTENSIONS[other]}`), { force: true });
    }
    return type;
  }

  async remove(): Promise<boolean> {
    const had = (await this.read()) !== null;
    for (const type of Object.keys(EXTENSIONS) as LogoType[]) await rm(join(this.dir, `logo.${EXTENSIONS[type]}`), { force: true });
    return had;
  }
}

/** What the Settings page and the setup wizard show of the stored logo: whether there is one, its type and size. */
export async function describeLogo(dataDir: string | undefined): Promise<{ present: boolean; type?: string; bytes?: number }> {
  if (dataDir === undefined) return { present: false };
  const logo = await new LogoStore(dataDir).read();
  return logo === null ? { present: false } : { present: true, type: logo.type, bytes: logo.bytes.length };
}
