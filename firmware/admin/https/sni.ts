// The admin UI's TLS answers only to the gateway's own names. A browser sends no SNI when it is
// given an address (RFC 6066 forbids addresses there), so a handshake without one goes on and the
// Host check in app.ts judges the request; a handshake naming anything else (a scanner trying
// names, a name re-pointed at the gateway, a misdirected client) fails before the certificate is
// sent, so it learns nothing, not even which names the certificate carries.
import { createSecureContext, type SecureContext } from 'node:tls';

/** Whether a handshake's SNI is one the gateway answers to (compared as DNS does, without case or a trailing dot). */
export function sniAllowed(servername: string, names: readonly string[]): boolean {
  const wanted = servername.toLowerCase().replace(/\.$/, '');
  return names.some((n) => n.toLowerCase().replace(/\.$/, '') === wanted);
}

export type SniCallback = (servername: string, callback: (error: Error | null, context?: SecureContext) => void) => void;

/**
 * The SNICallback for node:tls/https: the admin certificate for the gateway's names, an error
 * (the handshake ends with an alert) for any other. `names` is read at each handshake.
 */
export function sniGuard(pair: { key: string | Buffer; cert: string | Buffer }, names: () => readonly string[]): SniCallback {
  const context = createSecureContext({ key: pair.key, cert: pair.cert });
  return (servername, callback) => {
    if (sniAllowed(servername, names())) callback(null, context);
    else callback(new Error(`TLS refused: the name ${JSON.stringify(servername.slice(0, 253))} is not this gateway's`));
  };
}
