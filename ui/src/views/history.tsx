/** History: tasks with a status filter and a text search; each links to its live view. */
import { useEffect, useState } from 'preact/hooks';
import { api, type TaskSummary } from '../api.js';

const STATUSES = ['', 'queued', 'pending', 'in_progress', 'completed', 'failed', 'cancelled', 'interrupted'];

export function HistoryView() {
  const [tasks, setTasks] = useState<TaskSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const limit = 20;

  useEffect(() => {
    const params = new URLSearchParams({ limit: String(limit), offset: String(offset) });
    if (status) params.set('status', status);
    if (q.trim()) params.set('q', q.trim());
    void api<{ tasks: TaskSummary[]; total: number }>(`/api/tasks?${params.toString()}`).then((r) => {
      setTasks(r.tasks);
      setTotal(r.total);
    }, () => undefined);
  }, [status, q, offset]);

  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <div class="row">
        <div>
          <label for="history-q">Search</label>
          <input id="history-q" type="search" value={q} onInput={(e) => { setOffset(0); setQ(e.currentTarget.value); }} />
        </div>
        <div>
          <label for="history-status">Status</label>
          <select id="history-status" value={status} onChange={(e) => { setOffset(0); setStatus(e.currentTarget.value); }}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ul class="list" aria-label="Tasks">
        {tasks.map((t) => (
          <li key={t.task_id}>
            <a href={`#/task/${t.task_id}`}>
              <span class={`badge status-${t.status}`}>{t.status}</span> <code>{t.task_id.slice(0, 8)}</code> {t.task.slice(0, 120)}
            </a>
            <div class="muted">
              {t.workflow} · {t.iterations} iteration(s) · {t.source} · {t.created_at.replace('T', ' ').slice(0, 19)}
            </div>
          </li>
        ))}
      </ul>
      <div class="row">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
          Newer
        </button>
        <span class="muted">
          {total === 0 ? 'no tasks' : `${offset + 1}–${Math.min(offset + limit, total)} of ${total}`}
        </span>
        <button type="button" disabled={offset + limit >= total} onClick={() => setOffset(offset + limit)}>
          Older
        </button>
      </div>
    </section>
  );
}
