// Where a webhook may point, shared by the configuration check and the channel itself.
import { isLoopbackHost } from './loopback.ts';

/** Why `url` cannot carry alerts, or undefined when it can. Shared with the configuration check. */
export function webhookUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${text}" is neither https nor http`;
  if (url.username !== '' || url.password !== '') return 'the URL carries a user name or password, which the configuration would show to anyone who reads it: put the credential in the receiver\'s own check, or rely on the signature';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return `http is only allowed to a loopback address (127.0.0.1, ::1, localhost), not ${url.hostname}: use https`;
  return undefined;
}
