import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { createRedactor } from '../security/redact.js';
import { createLogger, routeLogLines } from './logger.js';

describe('logger', () => {
  it('writes JSON lines to the log file with secrets redacted', () => {
    const file = path.join(tempDir(), 'logs', 'ai-orchestrator.log');
    const logger = createLogger({ level: 'info', pretty: false, file, redact: createRedactor(['hunter2-secret']) });
    logger.info('calling with key hunter2-secret and sk-ant-api03-abcdefghijklmnopqrstuvwx');
    logger.debug('not at info level');
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { msg: string; level: number });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toContain('[REDACTED]');
    expect(lines[0]?.msg).not.toContain('hunter2-secret');
    expect(lines[0]?.msg).not.toContain('sk-ant-api03');
  });

  it('writes plain one-line records to stderr off a terminal, and JSON only when asked', () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const logger = createLogger({ level: 'info', pretty: false, redact: createRedactor(['hunter2-secret']) });
      logger.warn('claude: rate_limit; retry 2/3 in 1.0 s');
      logger.debug('not at info level');
      logger.error({ err: new Error('boom with hunter2-secret') }, 'engine error');
    } finally {
      process.stderr.write = original;
    }
    expect(written.join('')).toBe('warning: claude: rate_limit; retry 2/3 in 1.0 s\nerror: engine error: boom with [REDACTED]\n');
  });
});

describe('logger lines while a live display owns the terminal', () => {
  it('go to the display, plain and pretty, one call per line, and back to stderr when released', async () => {
    const shown: string[] = [];
    routeLogLines((line) => shown.push(line));
    try {
      createLogger({ level: 'info', pretty: false }).warn('codex failed (server); falling back to local');
      createLogger({ level: 'info', pretty: true }).warn('pretty warning');
      // pino-pretty formats in a stream: give it a turn.
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      routeLogLines(undefined);
    }
    expect(shown[0]).toBe('warning: codex failed (server); falling back to local');
    expect(shown.slice(1).join('\n')).toContain('pretty warning');
    expect(shown.every((line) => !line.includes('\n'))).toBe(true);
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    });
    try {
      createLogger({ level: 'info', pretty: false }).warn('after');
    } finally {
      process.stderr.write = original;
    }
    expect(written.join('')).toBe('warning: after\n');
  });
});
