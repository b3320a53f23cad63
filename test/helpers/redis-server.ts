/**
 * A real redis-server (Debian's, installed by .ci/run) on 127.0.0.1 at a free port, with its data
 * in a temporary folder, for the queue-mode tests. `restart` stops and starts it on the same port
 * and folder (a Redis restart mid-run); `stop` ends it and removes the folder. With
 * AIO_REQUIRE_REDIS=1 (set by .ci/run) a missing redis-server fails instead of skipping.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const REDIS_SERVER = '/usr/bin/redis-server';

export const REDIS_UNAVAILABLE = spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status !== 0;

if (REDIS_UNAVAILABLE && process.env['AIO_REQUIRE_REDIS'] === '1') {
  throw new Error(`AIO_REQUIRE_REDIS=1 but ${REDIS_SERVER} cannot run (apt-get install redis-server)`);
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops and starts the server again on the same port and data (saved first), `downMs` apart. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
  /** The server's process id now (a benchmark counts its CPU). */
  pid(): number | undefined;
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aio-redis-'));
  const port = await freePort();
  let child = await launch(port, dir);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart(options = {}) {
      await stopChild(child, port, true);
      if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
      child = await launch(port, dir);
    },
    async stop() {
      await stopChild(child, port, false);
      rmSync(dir, { recursive: true, force: true });
    },
    pid: () => child.pid,
  };
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  // dump.rdb in `dir` is loaded on start, so a restart keeps the queue (as a real deployment's would).
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--dbfilename', 'dump.rdb'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} on port ${port}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

async function stopChild(child: ChildProcess, port: number, save: boolean): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // Saving is off (--save ''), so a restart keeps the data only through this explicit SAVE.
  if (save) await command(port, 'SAVE').catch(() => undefined);
  child.kill('SIGTERM');
  await exited;
}

function answersPing(port: number): Promise<boolean> {
  return command(port, 'PING').then((reply) => reply.startsWith('+PONG'), () => false);
}

function command(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('redis timeout')));
    socket.on('connect', () => socket.write(`${text}\r\n`));
    socket.on('data', (data) => {
      reply += data.toString();
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
