/**
 * Logs go to stderr, never stdout (stdout carries command output and, for the MCP server, the
 * protocol). Human-readable: pretty on a TTY, one plain `warning: …` line otherwise (so a log line
 * reads like the progress lines around it); JSON lines only when asked (`--log-format json`) and
 * always in the log file. NO_COLOR is honoured; every string passes through the redactor first.
 * While a live display owns the terminal (a spinner under the progress lines), human-readable
 * log lines go to it (`routeLogLines`), so a warning is a line of its own, never on the spinner's line.
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type * as Pino from 'pino';
import type { DestinationStream } from 'pino';
import { createRedactor, type Redactor } from '../security/redact.js';
import { ensurePrivateFile } from '../storage/private-files.js';

/** What the code logs with: one message per call, an error's with the error (a pino logger is one). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  error(context: { readonly err: unknown }, message: string): void;
}

export interface LoggerOptions {
  readonly level?: string;
  /** Pretty output; defaults to whether stderr is a TTY. */
  readonly pretty?: boolean;
  /** `json`: JSON lines on stderr (for log collectors); default: human-readable. */
  readonly format?: 'plain' | 'json';
  readonly redact?: Redactor;
  /** Extra destination (e.g. settings.log_file), always JSON lines. */
  readonly file?: string;
}

const LEVELS: Readonly<Record<string, string>> = { warning: 'warn', warn: 'warn', debug: 'debug', info: 'info', error: 'error', silent: 'silent', trace: 'trace' };

export function normalizeLevel(level: string | undefined): string {
  return LEVELS[(level ?? 'info').toLowerCase()] ?? 'info';
}

const require = createRequire(import.meta.url);

let lineSink: ((line: string) => void) | undefined;

/**
 * Sends human-readable log lines to `sink` (one call per line, without its newline) instead of
 * stderr, until called again with undefined. JSON lines (`--log-format json`) always go to stderr.
 */
export function routeLogLines(sink: ((line: string) => void) | undefined): void {
  lineSink = sink;
}

function emitLines(text: string): void {
  if (!lineSink) {
    process.stderr.write(text);
    return;
  }
  for (const line of text.split('\n')) if (line !== '') lineSink(line);
}

/** pino is loaded on the first logger, not at import: commands that never log do not pay for it. */
function loadPino(): typeof Pino {
  return require('pino') as typeof Pino;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const redact = options.redact ?? createRedactor();
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  // Plain lines on stderr and nothing else: written here, without loading pino (≈ 20 ms at start-up).
  if (options.format !== 'json' && !pretty && !options.file) return plainLogger(normalizeLevel(options.level), redact);
  const { pino } = loadPino();
  const stderr = options.format === 'json' ? pino.destination({ fd: 2, sync: true }) : pretty ? prettyStream() : plainStream();
  const streams: { stream: DestinationStream }[] = [{ stream: stderr }];
  if (options.file) {
    // Logs hold task and agent detail: the file is the user's alone (0600), whatever the umask.
    ensurePrivateFile(options.file);
    streams.push({ stream: pino.destination({ dest: options.file, sync: true }) });
  }
  return pino(
    {
      level: normalizeLevel(options.level),
      base: undefined,
      hooks: {
        logMethod(args, method) {
          const safe = args.map((arg: unknown) => (typeof arg === 'string' ? redact(arg) : arg)) as Parameters<typeof method>;
          method.apply(this, safe);
        },
      },
    },
    streams.length === 1 && streams[0] ? streams[0].stream : pino.multistream(streams),
  );
}

function prettyStream(): DestinationStream {
  // Loaded only on a TTY: pino-pretty is not needed (nor paid for) in pipes and CI.
  const build = require('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      emitLines(String(chunk));
      done();
    },
  });
  return build({
    destination,
    sync: true,
    colorize: !process.env['NO_COLOR'],
    ignore: 'pid,hostname',
    translateTime: 'HH:MM:ss',
  });
}

const LEVEL_LABELS: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/** One line per record on stderr: `warning: message` (plus an error's message), no JSON. */
function plainStream(): DestinationStream {
  return {
    write(line: string) {
      let record: { level?: number; msg?: string; err?: { message?: string } };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        emitLines(line);
        return;
      }
      const label = LEVEL_LABELS[record.level ?? 30] ?? 'log';
      const error = record.err?.message && !record.msg?.includes(record.err.message) ? `: ${record.err.message}` : '';
      emitLines(`${label}: ${record.msg ?? ''}${error}\n`);
    },
  };
}

/** pino's level numbers, by the names `normalizeLevel` gives. */
const LEVEL_VALUES: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, silent: Infinity };

/** The plain stream's lines (`warning: message`), written without pino. */
function plainLogger(level: string, redact: Redactor): Logger {
  const threshold = LEVEL_VALUES[level] ?? 30;
  const at =
    (value: number) =>
    (first: string | { readonly err: unknown }, second?: string): void => {
      if (value < threshold) return;
      const message = typeof first === 'string' ? first : (second ?? '');
      // As the plain stream shows a pino record: the error's message after the text, unless already in it.
      const cause = typeof first === 'string' ? undefined : (first.err as { message?: unknown } | undefined)?.message;
      const error = typeof cause === 'string' && cause !== '' && !message.includes(cause) ? `: ${cause}` : '';
      emitLines(`${LEVEL_LABELS[value] ?? 'log'}: ${redact(`${message}${error}`)}\n`);
    };
  return { debug: at(20), info: at(30), warn: at(40), error: at(50) };
}

/** A logger that drops everything (library use, tests). */
export function silentLogger(): Logger {
  return plainLogger('silent', (text) => text);
}
