/**
 * Whether a browser's `Origin` is this server itself: the same host (and port) as the request's
 * `Host`. The scheme is not compared: behind a proxy that ends TLS the server sees http while the
 * page is https. Used by the HTTP CORS guard and the Socket.IO handshake alike.
 */
export function isOwnOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
