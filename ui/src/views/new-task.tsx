/** New task: the text, a workflow picker that shows the chosen workflow's steps, iterations, follow-up. */
import { useEffect, useState } from 'preact/hooks';
import { api, RequestFailed, type Workflow } from '../api.js';

export const CLIENT_ID = (() => {
  const stored = sessionStorage.getItem('aio-client-id');
  const id = stored ?? `tab-${crypto.randomUUID()}`;
  sessionStorage.setItem('aio-client-id', id);
  return id;
})();

export function NewTaskView() {
  const [workflows, setWorkflows] = useState<Workflow[]>([]);
  const [workflow, setWorkflow] = useState('default');
  const [task, setTask] = useState('');
  const [iterations, setIterations] = useState(3);
  const [followUp, setFollowUp] = useState(false);
  const [canFollowUp, setCanFollowUp] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void api<{ workflows: Workflow[] }>('/api/workflows').then((r) => {
      setWorkflows(r.workflows);
      if (r.workflows.length > 0 && !r.workflows.some((w) => w.name === 'default')) setWorkflow(r.workflows[0]?.name ?? 'default');
    }, (e: unknown) => setError(String(e)));
    void api<{ can_followup: boolean }>(`/api/status?client_id=${encodeURIComponent(CLIENT_ID)}`).then((s) => setCanFollowUp(s.can_followup), () => undefined);
  }, []);

  const chosen = workflows.find((w) => w.name === workflow);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const started = await api<{ task_id: string }>('/api/execute', { method: 'POST', body: { task, workflow, max_iterations: iterations, is_followup: followUp, client_id: CLIENT_ID } });
      location.hash = `#/task/${started.task_id}`;
    } catch (e) {
      setError(e instanceof RequestFailed ? e.error.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="new-title">
      <h1 id="new-title">New task</h1>
      <label for="task-text">Task</label>
      <textarea id="task-text" name="task" rows={5} required value={task} onInput={(e) => setTask(e.currentTarget.value)} placeholder="What should the agents do?" />
      <div class="row">
        <div>
          <label for="workflow">Workflow</label>
          <select id="workflow" name="workflow" value={workflow} onChange={(e) => setWorkflow(e.currentTarget.value)}>
            {workflows.map((w) => (
              <option key={w.name} value={w.name}>
                {w.name}
                {w.offline ? ' (offline)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="iterations">Iterations</label>
          <input id="iterations" type="number" min={1} max={10} value={iterations} onInput={(e) => setIterations(Number(e.currentTarget.value))} />
        </div>
      </div>
      {chosen && (
        <section aria-label="Workflow steps">
          <p class="muted">{chosen.description}</p>
          <ol class="steps-preview">
            {chosen.steps.map((s, i) => (
              <li key={i}>
                <strong>{s.agent}</strong> <span class="badge">{s.task}</span>
                {s.fallback && <span class="muted"> fallback: {s.fallback}</span>}
              </li>
            ))}
          </ol>
        </section>
      )}
      <label class="check">
        <input type="checkbox" checked={followUp} disabled={!canFollowUp} onChange={(e) => setFollowUp(e.currentTarget.checked)} />
        Follow-up of my last task
      </label>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || task.trim() === ''}>
        Start task
      </button>
    </form>
  );
}
