/**
 * What changed between two checkpoints: the files (added, modified, deleted), their line counts,
 * and the patch. Renames are shown as a deletion and an addition — rollback restores files one by
 * one, so that is the unit it reasons in too.
 */
import { git, nulList } from './git.js';

export type FileChangeStatus = 'added' | 'modified' | 'deleted' | 'type-changed';

export interface FileChange {
  /** Repository-relative path. */
  readonly path: string;
  readonly status: FileChangeStatus;
  /** Lines added / removed; undefined for binary files. */
  readonly additions?: number;
  readonly deletions?: number;
  readonly binary: boolean;
}

const STATUS: Readonly<Record<string, FileChangeStatus>> = { A: 'added', M: 'modified', D: 'deleted', T: 'type-changed' };

/** The paths that differ between two commits (no rename detection). */
export async function changedPaths(repo: string, from: string, to: string): Promise<string[]> {
  return nulList(await git(repo, ['diff-tree', '-r', '-z', '--no-renames', '--name-only', from, to]));
}

/** Files that differ between two commits, with line counts. */
export async function diffFiles(repo: string, from: string, to: string): Promise<FileChange[]> {
  const status = nulList(await git(repo, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', from, to]));
  const counts = new Map<string, { additions?: number; deletions?: number; binary: boolean }>();
  // --numstat -z: "added\tdeleted\tpath\0" per file ("-\t-\t" for binary files).
  for (const entry of nulList(await git(repo, ['diff-tree', '-r', '-z', '--no-renames', '--numstat', from, to]))) {
    const [added, deleted, ...rest] = entry.split('\t');
    const file = rest.join('\t');
    counts.set(file, added === '-' ? { binary: true } : { additions: Number(added), deletions: Number(deleted), binary: false });
  }
  const changes: FileChange[] = [];
  for (let i = 0; i + 1 < status.length; i += 2) {
    const code = (status[i] ?? '').charAt(0);
    const file = status[i + 1] ?? '';
    changes.push({ path: file, status: STATUS[code] ?? 'modified', ...(counts.get(file) ?? { binary: false }) });
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}

/** The unified diff between two commits, optionally limited to some paths. */
export async function diffPatch(repo: string, from: string, to: string, paths: readonly string[] = []): Promise<string> {
  return git(repo, [
    '--literal-pathspecs',
    'diff',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--no-renames',
    from,
    to,
    ...(paths.length > 0 ? ['--', ...paths] : []),
  ]);
}
