// The archive read as it arrives gives what unpackArchive gives, whatever the pieces' edges, and
// refuses what it refuses with the same messages.
import { describe, expect, it } from 'vitest';
import { BackupError, packArchive, unpackArchive } from '../../../firmware/backup/archive.ts';
import { ArchiveReader, type ArchiveEvent } from '../../../firmware/backup/archive-stream.ts';

const info = { firmwareVersion: '0.9.0', createdAt: '2026-12-07T02:30:00.000Z', createdBy: 'system:backup', configVersion: 2, stateSchema: 16 };
const parts = [
  { name: 'config.json', bytes: Buffer.from('{"version":2}\n') },
  { name: 'secrets/empty', bytes: Buffer.alloc(0) },
  { name: 'state.db', bytes: Buffer.from(Array.from({ length: 5000 }, (_, i) => i & 0xff)) },
  { name: 'lists/custom.txt', bytes: Buffer.from('games.example\n') },
  { name: 'tls/empty-last', bytes: Buffer.alloc(0) },
];

function readInPieces(archive: Buffer, piece: number): { events: ArchiveEvent[]; files: Map<string, Buffer> } {
  const reader = new ArchiveReader();
  const events: ArchiveEvent[] = [];
  for (let i = 0; i < archive.length; i += piece) events.push(...reader.push(archive.subarray(i, i + piece)));
  reader.finish();
  const files = new Map<string, Buffer>();
  for (const e of events) {
    if (e.kind === 'start') files.set(e.part.name, Buffer.alloc(0));
    if (e.kind === 'data') files.set(e.part.name, Buffer.concat([files.get(e.part.name)!, e.bytes]));
  }
  return { events, files };
}

describe('the archive read as a stream', () => {
  it('gives every part byte for byte, with start and end around each, for any size of piece', () => {
    const { archive, manifest } = packArchive(info, parts);
    for (const piece of [1, 7, 64, 4096, archive.length]) {
      const { events, files } = readInPieces(archive, piece);
      expect(events[0], `piece ${piece}`).toEqual({ kind: 'manifest', manifest });
      expect(events.filter((e) => e.kind === 'end').map((e) => e.part.name), `piece ${piece}`).toEqual(parts.map((p) => p.name));
      expect([...files].map(([name, bytes]) => [name, bytes.toString('hex')]), `piece ${piece}`).toEqual(parts.map((p) => [p.name, p.bytes.toString('hex')]));
    }
    expect(unpackArchive(archive).manifest).toEqual(manifest);
  });

  it('refuses a changed part, a cut-short or overlong archive and one that is not a backup, as unpackArchive does', () => {
    const { archive } = packArchive(info, parts);
    const flipped = Buffer.from(archive);
    flipped[archive.length - 3]! ^= 0x01;
    const cases: [string, Buffer, RegExp][] = [
      ['a byte flipped', flipped, /part lists\/custom\.txt does not match its SHA-256/],
      ['cut short', archive.subarray(0, archive.length - 1), /cut short: part lists\/custom\.txt/],
      ['a byte too many', Buffer.concat([archive, Buffer.from('x')]), /1 bytes the manifest does not account for/],
      ['not a backup', Buffer.from('SCHOOLGATE-EXPORT 1\n{}\n'), /not a Schoolgate backup/],
      ['no manifest end', archive.subarray(0, 40), /cut short: its manifest has no end/],
      ['a manifest that is not JSON', Buffer.from('SCHOOLGATE-BACKUP 1\n{nope\n'), /manifest is not JSON/],
    ];
    for (const [what, bytes, message] of cases) {
      for (const piece of [3, bytes.length]) expect(() => readInPieces(bytes, piece), `${what}, piece ${piece}`).toThrow(message);
      expect(() => readInPieces(bytes, 3), what).toThrow(BackupError);
      if (what !== 'no manifest end') expect(() => unpackArchive(bytes), what).toThrow(message);
    }
  });
});
