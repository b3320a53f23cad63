/**
 * Who may talk to the server. Three checks on every request, before any route runs:
 * - Host: only the names the server is reached by (a DNS-rebinding page has a foreign Host);
 * - Origin: a browser request from another site (another tab) is refused;
 * - the token: `Authorization: Bearer <token>` or the HttpOnly cookie the login link set.
 * /health stays open for probes; /login exchanges a one-time code for the cookie.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './http-errors.js';
import { oneTimeCode, tokenMatches } from './server-token.js';

export const COOKIE_NAME = 'aio_token';
const OPEN_PATHS = new Set(['/health', '/login']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

export interface GuardOptions {
  readonly token: string;
  /** Host names (no port) the server answers to besides the loopback names. */
  readonly allowedHosts: readonly string[];
  /** A request without a valid token (what was asked and from where — never what was sent). */
  readonly onAuthFailed?: (details: { readonly method: string; readonly path: string; readonly remote: string }) => void;
}

export interface Guard {
  check(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** A code for one login link: used once, then forgotten. */
  newLoginCode(): string;
  /** Exchanges a login code for the cookie; false when it is unknown or used. */
  redeem(code: string | undefined, reply: FastifyReply): boolean;
  /** Whether a raw request (the Socket.IO handshake) carries the token and an allowed Host/Origin. */
  allows(headers: Readonly<Record<string, string | string[] | undefined>>, authToken?: unknown): boolean;
}

export function createGuard(options: GuardOptions): Guard {
  const hosts = new Set([...LOOPBACK_NAMES, ...options.allowedHosts].map((h) => h.toLowerCase()));
  const codes = new Set<string>();

  const hostAllowed = (host: string | undefined): boolean => host !== undefined && hosts.has(hostName(host));
  const originAllowed = (origin: string | undefined): boolean => {
    if (origin === undefined) return true; // not a cross-site browser request
    try {
      return hosts.has(new URL(origin).hostname.replace(/^\[|\]$/g, '').toLowerCase());
    } catch {
      return false;
    }
  };
  const authorized = (headers: Readonly<Record<string, string | string[] | undefined>>, authToken?: unknown): boolean => {
    const header = first(headers['authorization']);
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const cookie = readCookie(first(headers['cookie']), COOKIE_NAME);
    const given = typeof authToken === 'string' ? authToken : undefined;
    return [bearer, cookie, given].some((candidate) => tokenMatches(options.token, candidate));
  };

  return {
    async check(request, reply) {
      const headers = request.headers;
      if (!hostAllowed(headers.host)) {
        await reply.status(403).send(errorBody('HOST_NOT_ALLOWED', `host "${headers.host ?? ''}" is not one this server answers to (serve --allowed-host)`));
        return;
      }
      if (!originAllowed(first(headers.origin))) {
        await reply.status(403).send(errorBody('ORIGIN_NOT_ALLOWED', 'cross-site request refused'));
        return;
      }
      if (OPEN_PATHS.has(request.url.split('?')[0] ?? '')) return;
      if (!authorized(headers)) {
        options.onAuthFailed?.({ method: request.method, path: request.url.split('?')[0] ?? '', remote: request.ip });
        await reply.status(401).header('www-authenticate', 'Bearer').send(errorBody('UNAUTHORIZED', 'a token is required: open the login link printed by `serve`, or send Authorization: Bearer <token>'));
      }
    },
    newLoginCode() {
      const code = oneTimeCode();
      codes.add(code);
      return code;
    },
    redeem(code, reply) {
      if (code === undefined || !codes.delete(code)) return false;
      void reply.header('set-cookie', `${COOKIE_NAME}=${options.token}; HttpOnly; SameSite=Strict; Path=/`);
      return true;
    },
    allows(headers, authToken) {
      return hostAllowed(first(headers['host'])) && originAllowed(first(headers['origin'])) && authorized(headers, authToken);
    },
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function hostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(1, lower.indexOf(']'));
  return lower.replace(/:\d+$/, '');
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
