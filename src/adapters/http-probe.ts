/**
 * Is an HTTP endpoint up? One GET with a short timeout, over node:http(s). (fetch would load
 * undici — ≈ 50 ms of start-up for `agents`, `validate` and `doctor`, which probe every local
 * model server.) A fresh connection per probe: nothing is left open to keep the process alive.
 */
import { noAnswerMessage, unreachableMessage } from '../shared/unreachable.js';
import type { Availability } from './spec.js';

export interface ProbeOptions {
  readonly signal?: AbortSignal;
  /** Default 1,500 ms: a local server answers in a few; a dead host must not hold up a listing. */
  readonly timeoutMs?: number;
}

export async function probeHttp(url: string, options: ProbeOptions = {}): Promise<Availability> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { available: false, detail: `${url} is not a valid URL` };
  }
  const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 1500);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  return new Promise((resolve) => {
    const req = request(target, { method: 'GET', agent: false, signal }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? { available: true, detail: url } : { available: false, detail: `${url} answered ${status}` });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (timeout.aborted) resolve({ available: false, detail: noAnswerMessage(url, options.timeoutMs ?? 1500) });
      else if (error.name === 'AbortError') resolve({ available: false, detail: `${url}: probe cancelled` });
      else resolve({ available: false, detail: unreachableMessage(url, error) });
    });
    req.end();
  });
}
