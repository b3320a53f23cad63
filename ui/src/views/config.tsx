/** The configuration file in an editor: Check validates at line:column, Save writes only a valid file. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, RequestFailed } from '../api.js';

interface Issue {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function ConfigView() {
  const [content, setContent] = useState('');
  const [file, setFile] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [note, setNote] = useState('');
  const editor = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    void api<{ content: string; save_path: string }>('/api/config').then((r) => {
      setContent(r.content);
      setFile(r.save_path);
    }, (e: unknown) => setNote(String(e)));
  }, []);

  async function send(dryRun: boolean): Promise<void> {
    setNote('');
    setIssues([]);
    try {
      const answer = await api<{ message: string }>(`/api/config${dryRun ? '?dry_run=1' : ''}`, { method: 'PUT', body: { content } });
      setNote(dryRun ? answer.message : `${answer.message} (used after the server restarts)`);
    } catch (e) {
      if (e instanceof RequestFailed) {
        const found = (e.error as { issues?: Issue[] }).issues ?? [];
        setIssues(found);
        setNote(found.length > 0 ? 'Not saved: fix the problems below.' : `Not saved: ${e.error.message}`);
      } else setNote(String(e));
    }
  }

  function jumpTo(issue: Issue): void {
    const area = editor.current;
    if (!area) return;
    const lines = content.split('\n');
    const offset = lines.slice(0, issue.line - 1).reduce((sum, l) => sum + l.length + 1, 0) + issue.column - 1;
    area.focus();
    area.setSelectionRange(offset, offset);
  }

  return (
    <section aria-labelledby="config-title">
      <h1 id="config-title">Configuration</h1>
      <p class="muted">{file}</p>
      <label for="config-text">agents.yaml</label>
      <textarea id="config-text" ref={editor} class="code" rows={24} spellcheck={false} wrap="off" value={content} onInput={(e) => setContent(e.currentTarget.value)} />
      <div class="row">
        <button type="button" onClick={() => void send(true)}>
          Check
        </button>
        <button type="button" onClick={() => void send(false)}>
          Save
        </button>
      </div>
      {note && (
        <p role="status" class={issues.length > 0 ? 'error' : 'muted'}>
          {note}
        </p>
      )}
      {issues.length > 0 && (
        <ul class="list" aria-label="Problems">
          {issues.map((issue, i) => (
            <li key={i} class="error">
              <button type="button" class="link" onClick={() => jumpTo(issue)}>
                line {issue.line}, column {issue.column}
              </button>{' '}
              {issue.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
