// What every sealed export's form shares (records, incidents; backups later): the optional
// passphrase typed twice, its checks, and the notice that says what was downloaded and how to open it.
import { TextField } from './field.tsx';

export interface PassphraseNames { passphrase: string; again: string }

/** The passphrase's problems by field name: none when it is left empty (no encryption) or fine. */
export function passphraseProblems(passphrase: string, again: string, names: PassphraseNames): Record<string, string> {
  const found: Record<string, string> = {};
  if (passphrase !== '' && [...passphrase].length < 10) found[names.passphrase] = 'At least 10 characters: a few words is easiest to pass on by phone';
  if (passphrase !== again) found[names.again] = 'The two passphrases differ';
  return found;
}

export function PassphraseFields(p: {
  names: PassphraseNames; passphrase: string; again: string; errors: Record<string, string>;
  onPassphrase: (value: string) => void; onAgain: (value: string) => void;
}) {
  return (
    <>
      <TextField name={p.names.passphrase} label="Passphrase" type="password" autocomplete="new-password" required={false} value={p.passphrase} onValue={p.onPassphrase}
        error={p.errors[p.names.passphrase]} hint="Encrypts the file. Give it to the recipient separately (by phone, not in the same e-mail). It cannot be recovered." />
      <TextField name={p.names.again} label="Passphrase again" type="password" autocomplete="new-password" required={false} value={p.again} onValue={p.onAgain}
        error={p.errors[p.names.again]} />
    </>
  );
}

export function SealedDownloadNotice({ file, what }: { file: { fileName: string; encrypted: boolean; contentSha256: string }; what?: string }) {
  return (
    <div class="notice notice-success" role="status">
      <p>Downloaded <strong>{file.fileName}</strong>{what ? `: ${what}` : ''}{file.encrypted ? ', encrypted' : ''}.</p>
      <p>Content SHA-256: <code class="mono hash">{file.contentSha256}</code></p>
      <p>Open it with <code>schoolgate export open {file.fileName}{file.encrypted ? ' --passphrase-file FILE' : ''}</code>.</p>
    </div>
  );
}
