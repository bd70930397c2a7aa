// A file sent to the admin API as the request body itself (application/octet-stream) and passed to
// the daemon's upload method for its use as it arrives, in the pieces the CLI sends: the page and
// `schoolgate …` store a file the same way, and neither a 60 MB string nor the whole body is ever
// held in memory.
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import type { Signed } from './auth/authenticator.ts';
import { callControl, type AdminControl } from './control-call.ts';
import type { UploadResult } from '../control/upload-schema.ts';
import { sendUpload } from '../control/upload-send.ts';

/**
 * Leaves an application/octet-stream body in this plugin scope as the stream it arrives as (a
 * route then takes it as `Readable`). `maxBytes` is the use's cap; the upload store refuses a
 * larger file too, whatever a client claims its length is.
 */
export function acceptStreamedBodies(scope: Pick<FastifyInstance, 'addContentTypeParser'>, maxBytes: number): void {
  scope.addContentTypeParser('application/octet-stream', { bodyLimit: maxBytes }, (_request, payload, done) => done(null, payload));
}

/** Passes `body` to `method` (`upgrade.upload`, …) as the signed-in account; resolves with the upload's name. */
export function forwardUpload(control: AdminControl | undefined, signed: Signed | undefined, method: string, body: Readable): Promise<string> {
  return sendUpload(body, (params) => callControl<UploadResult>(control, signed, method, params));
}
