import { describe, expect, it } from 'vitest';
import type { ProcessResult } from '../process/spawn-process.js';
import { errorFromExit, errorFromProcess, kindFromHttpStatus, kindFromMessage } from './failure.js';

function processResult(overrides: Partial<ProcessResult> = {}): ProcessResult {
  return { exitCode: 1, signal: null, timedOut: false, isCanceled: false, durationMs: 10, stderrTail: '', escapedKilled: 0, ...overrides };
}

describe('kindFromHttpStatus', () => {
  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [429, 'rate_limit'],
    [402, 'quota'],
    [404, 'not_installed'],
    [408, 'timeout'],
    [504, 'timeout'],
    [500, 'server'],
    [502, 'server'],
    [503, 'server'],
    [400, 'task_failed'],
  ] as const)('%i → %s', (status, kind) => {
    expect(kindFromHttpStatus(status)).toBe(kind);
  });
});

describe('kindFromMessage', () => {
  it.each([
    ['API Error: 401 {"type":"error","error":{"type":"authentication_error"}}', 'auth'],
    ['Invalid API key · Please run /login', 'auth'],
    ['403 Forbidden', 'auth'],
    ['429 Too Many Requests', 'rate_limit'],
    ['Rate limit reached for requests', 'rate_limit'],
    ['You exceeded your current quota, please check your plan and billing details', 'quota'],
    ['Your credit balance is too low', 'quota'],
    ['RESOURCE_EXHAUSTED', 'quota'],
    ['connect ECONNREFUSED 127.0.0.1:9', 'network'],
    ['TypeError: fetch failed', 'network'],
    ['getaddrinfo ENOTFOUND api.example.com', 'network'],
    ['500 Internal Server Error', 'server'],
    ['503 Service Unavailable', 'server'],
    ['Overloaded', 'server'],
    ['request timed out', 'timeout'],
    ['deadline exceeded', 'timeout'],
  ] as const)('%s → %s', (message, kind) => {
    expect(kindFromMessage(message)).toBe(kind);
  });

  it('returns undefined when nothing matches', () => {
    expect(kindFromMessage('the tests did not pass')).toBeUndefined();
  });
});

describe('errorFromProcess', () => {
  it('maps cancellation, timeout and start failures, and nothing else', () => {
    expect(errorFromProcess(processResult({ isCanceled: true }), 'x')?.kind).toBe('cancelled');
    expect(errorFromProcess(processResult({ timedOut: true, durationMs: 3012 }), 'x')).toEqual({ kind: 'timeout', message: 'timed out after 3 s' });
    expect(errorFromProcess(processResult({ spawnError: { code: 'ENOENT', message: 'spawn x ENOENT' } }), 'x')?.kind).toBe('not_installed');
    expect(errorFromProcess(processResult({ spawnError: { code: 'EACCES', message: 'spawn x EACCES' } }), 'x')?.kind).toBe('not_installed');
    expect(errorFromProcess(processResult({ spawnError: { code: 'E2BIG', message: 'spawn E2BIG' } }), 'x')?.kind).toBe('config');
    expect(
      errorFromProcess(processResult({ spawnError: { code: 'ENOTDIR', message: 'working directory /w does not exist' } }), 'x'),
    ).toEqual({ kind: 'config', message: 'cannot start x: working directory /w does not exist' });
    expect(errorFromProcess(processResult({ exitCode: 1 }), 'x')).toBeUndefined();
  });

  it('puts cancellation before timeout when both happened', () => {
    expect(errorFromProcess(processResult({ isCanceled: true, timedOut: true }), 'x')?.kind).toBe('cancelled');
  });
});

describe('errorFromExit', () => {
  it('classifies from the stderr tail and says how the process ended', () => {
    const error = errorFromExit(processResult({ exitCode: 1, stderrTail: 'noise\nError: 429 Too Many Requests\n' }), 'agent');
    expect(error.kind).toBe('rate_limit');
    expect(error.message).toBe('agent exited with code 1: noise\nError: 429 Too Many Requests');
  });

  it('is task_failed when stderr explains nothing, and names a killing signal', () => {
    expect(errorFromExit(processResult({ exitCode: 2 }), 'agent')).toEqual({ kind: 'task_failed', message: 'agent exited with code 2' });
    expect(errorFromExit(processResult({ exitCode: null, signal: 'SIGSEGV' }), 'agent').message).toBe('agent was killed by SIGSEGV');
  });
});
