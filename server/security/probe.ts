// One availability check of a public system: an HTTP(S) GET with a timeout; the status, the time to the
// answer's headers and, over TLS, when the certificate ends. No library: node's http and https.
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { ProbeError, ProbeView } from '#contract/securityVocab.ts';

/** Checks `url` once: up when it answers 2xx or 3xx within `timeoutMs`. Never throws. */
export function probe(url: string, timeoutMs: number, now: () => number = Date.now): Promise<ProbeView> {
  const time = now();
  const t0 = performance.now();
  return new Promise<ProbeView>((resolve) => {
    let done = false;
    const finish = (p: Omit<ProbeView, 'time'>) => {
      if (done) return;
      done = true;
      resolve({ time, ...p });
    };
    const fail = (error: ProbeError, status: number | null = null, certExpiresAt: number | null = null) =>
      finish({ up: false, status, responseMs: null, certExpiresAt, error });
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return fail('error');
    }
    const lib = u.protocol === 'https:' ? https : http;
    // a new connection each time (agent: false): a kept-alive socket would hide a server that stopped
    const req = lib.get(
      u,
      { agent: false, timeout: timeoutMs, headers: { 'user-agent': 'ioc-probe/1' } },
      (res) => {
        const responseMs = Math.round(performance.now() - t0);
        const socket = res.socket as TLSSocket;
        const cert =
          typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
        const certExpiresAt = cert?.valid_to ? Date.parse(cert.valid_to) : null;
        const status = res.statusCode ?? 0;
        res.resume();
        req.destroy();
        if (status >= 200 && status < 400)
          finish({
            up: true,
            status,
            responseMs,
            certExpiresAt: Number.isFinite(certExpiresAt) ? certExpiresAt : null,
            error: null,
          });
        else fail('http_status', status, certExpiresAt);
      },
    );
    req.on('timeout', () => {
      fail('timeout');
      req.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const c = err.code ?? '';
      if (c === 'ECONNREFUSED' || c === 'ECONNRESET' || c === 'EHOSTUNREACH') fail('refused');
      else if (c === 'ENOTFOUND' || c === 'EAI_AGAIN') fail('dns');
      else if (c.startsWith('ERR_TLS') || c.includes('CERT') || c === 'DEPTH_ZERO_SELF_SIGNED_CERT')
        fail('tls');
      else fail('error');
    });
    // a belt to the socket timeout's braces: a server that trickles bytes never trips an idle timeout
    setTimeout(() => {
      if (!done) {
        fail('timeout');
        req.destroy();
      }
    }, timeoutMs + 50).unref();
  });
}
