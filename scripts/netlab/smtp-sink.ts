// The lab internet's mail relay, run inside `wan` by smtp.ts: a real SMTP server (the smtp-server
// package) that offers STARTTLS with the lab's certificate, accepts any sender and recipient
// without a login, and prints each message it receives as one JSON line on stdout. Its own
// process because a socket lives in the namespace of the process that opens it.
//   node smtp-sink.ts ADDRESS PORT CERT_FILE KEY_FILE
import { readFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';

const [address, port, certFile, keyFile] = process.argv.slice(2);
if (!address || !port || !certFile || !keyFile) {
  process.stderr.write('usage: smtp-sink.ts ADDRESS PORT CERT_FILE KEY_FILE\n');
  process.exit(2);
}

const server = new SMTPServer({
  logger: false,
  authOptional: true,
  key: readFileSync(keyFile),
  cert: readFileSync(certFile),
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      process.stdout.write(`${JSON.stringify({
        from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        secure: session.secure,
        raw: Buffer.concat(chunks).toString('utf8'),
      })}\n`);
      callback();
    });
  },
});
// A client that drops the handshake is the client's business; the relay keeps serving.
server.on('error', (err: Error) => process.stderr.write(`smtp-sink: ${err.message}\n`));
server.listen(Number(port), address);
process.on('SIGTERM', () => {
  // close() waits for open sessions; a client that keeps one open does not hold the teardown.
  setTimeout(() => process.exit(0), 1_000).unref();
  server.close(() => process.exit(0));
});
