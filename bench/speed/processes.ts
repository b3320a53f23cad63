/** Timed child processes for the start-up measurements. */
import { spawn } from 'node:child_process';

export interface Timed {
  readonly ms: number;
  readonly code: number | null;
  readonly stderr: string;
}

/** Spawns `node ...args`, waits for it to close and returns the wall time from spawn to close. */
export function timeNode(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string }): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stderr }));
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}

/** Like timeNode, but a run that exits with an unexpected code stops the benchmark. */
export async function timeNodeOk(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string; okCodes?: readonly number[] },
): Promise<number> {
  const result = await timeNode(args, options);
  if (!(options.okCodes ?? [0]).includes(result.code ?? -1)) {
    throw new Error(`node ${args.join(' ')} exited ${String(result.code)}:\n${result.stderr}`);
  }
  return result.ms;
}
