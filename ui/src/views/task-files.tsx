/**
 * The files a task changed, each with its patch behind a disclosure (GET /api/tasks/:id/diff).
 * Fetched again when a step finishes or the task's state changes, not on every event: while the
 * task runs, each fetch compares against a snapshot of the working tree. A patch is turned into
 * lines only while its file is open.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, RequestFailed, type DiffFile, type TaskDiff } from '../api.js';

export function TaskFiles({ taskId, refreshKey, stepFiles }: { taskId: string; refreshKey: string; stepFiles: readonly string[] }) {
  const [diff, setDiff] = useState<TaskDiff | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    let current = true;
    api<TaskDiff>(`/api/tasks/${encodeURIComponent(taskId)}/diff`)
      .then((answer) => {
        if (!current) return;
        setDiff(answer);
        setError('');
      })
      .catch((e: unknown) => {
        if (current) setError(e instanceof RequestFailed ? e.error.message : String(e));
      });
    return () => {
      current = false;
    };
  }, [taskId, refreshKey]);

  if (!diff?.available) {
    // Without checkpoints, the steps' own record of the files they touched is all there is.
    if (stepFiles.length === 0 && !error) return null;
    return (
      <section aria-labelledby="files-title">
        <h2 id="files-title">Files changed</h2>
        {error ? <p class="muted">{error}</p> : diff?.reason && <p class="muted">{diff.reason}</p>}
        <ul aria-label="Files changed">
          {stepFiles.map((f) => (
            <li key={f}>
              <code>{f}</code>
            </li>
          ))}
        </ul>
      </section>
    );
  }
  const totals = diff.totals ?? { files: diff.files.length, additions: 0, deletions: 0 };
  return (
    <section aria-labelledby="files-title">
      <h2 id="files-title">Files changed</h2>
      <p class="muted">
        {totals.files} file{totals.files === 1 ? '' : 's'}, +{totals.additions} −{totals.deletions}
        {diff.branch ? ` on branch ${diff.branch}` : ''}
        {diff.to_label === 'working-tree' ? ' so far' : ''}
      </p>
      {diff.files.length > 0 && (
        <ul class="files" aria-label="Files changed">
          {diff.files.map((file) => (
            <li key={file.path} data-file={file.path}>
              <FileChange file={file} />
            </li>
          ))}
        </ul>
      )}
      {diff.truncated && <p class="muted">Some files or patches were left out or cut here; `ai-orchestrator tasks diff {taskId.slice(0, 8)}` shows all of them.</p>}
      {error && <p class="muted">{error}</p>}
    </section>
  );
}

function FileChange({ file }: { file: DiffFile }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <code>{file.path}</code> <span class="badge">{file.status}</span>{' '}
        {file.binary ? (
          <span class="muted">binary</span>
        ) : (
          <span>
            <span class="add">+{file.additions ?? 0}</span> <span class="del">−{file.deletions ?? 0}</span>
          </span>
        )}
      </summary>
      {open &&
        (file.patch !== null ? (
          <pre class="output patch" aria-label={`Patch of ${file.path}`}>
            {file.patch.split('\n').map((line, i) => (
              <span key={i} class={lineClass(line)}>
                {line}
                {'\n'}
              </span>
            ))}
          </pre>
        ) : (
          <p class="muted">{file.omitted === 'binary' ? 'A binary file: no patch to show.' : 'Left out here (size limit).'}</p>
        ))}
    </details>
  );
}

function lineClass(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---')) return 'muted';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  if (line.startsWith('@@')) return 'hunk';
  return undefined;
}
