/**
 * /api/files — files of the workspace for the browser, and nothing outside it: a path is resolved
 * with symlinks followed and must stay under the workspace's real path, so `..`, absolute paths
 * and links pointing out are refused before anything is read.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HttpError } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';

const MAX_FILE_BYTES = 1_048_576;
const MAX_LISTED = 1_000;
const SKIPPED_DIRS = new Set(['.git', 'node_modules', 'dist', '.venv', '__pycache__']);
const LANGUAGES: Readonly<Record<string, string>> = {
  '.ts': 'typescript', '.tsx': 'typescript', '.js': 'javascript', '.mjs': 'javascript', '.py': 'python', '.md': 'markdown', '.json': 'json',
  '.yaml': 'yaml', '.yml': 'yaml', '.sh': 'shell', '.go': 'go', '.rs': 'rust', '.java': 'java', '.css': 'css', '.html': 'html', '.txt': 'plaintext',
};

const fileQuery = z.object({ path: z.string().min(1).max(4_096) });

export function registerFileRoutes(context: ServerContext): void {
  const read = (relative: string) => {
    const file = confine(context.workspace, relative);
    const stat = statSync(file);
    if (!stat.isFile()) throw new HttpError(400, 'NOT_A_FILE', `${relative} is not a file`);
    if (stat.size > MAX_FILE_BYTES) throw new HttpError(413, 'FILE_TOO_LARGE', `${relative} is larger than ${MAX_FILE_BYTES} bytes`);
    return { filename: path.relative(realpathSync(context.workspace), file), content: readFileSync(file, 'utf8'), language: LANGUAGES[path.extname(file).toLowerCase()] ?? 'plaintext' };
  };

  context.api.route({
    method: 'GET',
    url: '/api/files/list',
    summary: 'the workspace files (skipping .git, node_modules, dist)',
    handler: () => ({ root: context.workspace, files: listFiles(realpathSync(context.workspace)) }),
  });
  context.api.route({
    method: 'GET',
    url: '/api/files',
    summary: 'one workspace file: {filename, content, language}',
    query: fileQuery,
    handler: ({ query }) => read(query.path),
  });
  context.api.route({
    method: 'GET',
    url: '/api/files/*',
    summary: 'one workspace file by path: {filename, content, language}',
    handler: (_input, request) => read((request.params as Record<string, string>)['*'] ?? ''),
  });
}

/** The real path of `relative` inside the workspace; 403 when it leaves it, 404 when it is missing. */
export function confine(workspace: string, relative: string): string {
  const root = realpathSync(workspace);
  if (relative.includes('\0')) throw new HttpError(400, 'BAD_PATH', 'bad path');
  const wanted = path.resolve(root, relative);
  const outside = (candidate: string): boolean => candidate !== root && !candidate.startsWith(`${root}${path.sep}`);
  if (outside(wanted)) throw new HttpError(403, 'OUTSIDE_WORKSPACE', 'the path leaves the workspace');
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    throw new HttpError(404, 'FILE_NOT_FOUND', `${relative} does not exist`);
  }
  if (outside(real)) throw new HttpError(403, 'OUTSIDE_WORKSPACE', 'the path leaves the workspace (through a link)');
  return real;
}

function listFiles(root: string): { path: string; size: number }[] {
  const files: { path: string; size: number }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (files.length >= MAX_LISTED) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) walk(full);
      else if (entry.isFile()) files.push({ path: path.relative(root, full), size: statSync(full).size });
    }
  };
  walk(root);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
