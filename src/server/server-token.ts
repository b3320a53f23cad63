/**
 * The token every route but /health asks for: AI_ORCHESTRATOR_TOKEN when set, else one generated
 * on the first start and kept (0600) in the home, so a restarted server keeps the same token and
 * bookmarked clients keep working.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from '../storage/private-files.js';

export interface ServerToken {
  readonly token: string;
  /** Where it came from: the environment, the file in the home, or generated now into that file. */
  readonly source: 'env' | 'file' | 'generated';
  readonly file?: string;
}

export const TOKEN_FILE_NAME = 'server-token';

export function resolveServerToken(home: string, env: NodeJS.ProcessEnv): ServerToken {
  const fromEnv = env['AI_ORCHESTRATOR_TOKEN']?.trim();
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const file = path.join(home, TOKEN_FILE_NAME);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    // A file someone else could read would leak the token: tighten it every start.
    chmodSync(file, 0o600);
    if (stored) return { token: stored, source: 'file', file };
  }
  const token = randomBytes(32).toString('base64url');
  writePrivateFile(file, `${token}\n`);
  return { token, source: 'generated', file };
}

/** Constant-time comparison: the answer's timing says nothing about how much of a guess matched. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A random, URL-safe one-time code (login links). */
export function oneTimeCode(): string {
  return randomBytes(24).toString('base64url');
}
