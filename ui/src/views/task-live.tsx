/** One task live: steps as a timeline, the agent's output streaming, convergence, the files changed, Cancel and Resume. */
import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { api, FINAL_STATUSES, RequestFailed, RESUMABLE_STATUSES } from '../api.js';
import { applyEvent, emptyView, type TaskView } from '../task-stream.js';
import { TaskFiles } from './task-files.js';

export function TaskLiveView({ taskId }: { taskId: string }) {
  const view = useRef<TaskView>(emptyView());
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [generation, setGeneration] = useState(0);
  const [error, setError] = useState('');

  useEffect(() => {
    // The stream replays from the last seq this view has, then follows live.
    const source = new EventSource(`/api/tasks/${encodeURIComponent(taskId)}/events?since=${view.current.lastSeq}`);
    let pending = false;
    const onEvent = (message: MessageEvent<string>): void => {
      if (applyEvent(view.current, Number(message.lastEventId), JSON.parse(message.data) as { type: string })) {
        if (!pending) {
          pending = true;
          requestAnimationFrame(() => {
            pending = false;
            redraw(0);
          });
        }
      }
    };
    source.onmessage = onEvent;
    const types = ['task.created', 'task.queued', 'task.planned', 'task.resumed', 'task.started', 'step.started', 'step.activity', 'step.output', 'step.finished', 'iteration.finished', 'task.finished', 'agent.started', 'agent.retrying', 'agent.stderr', 'circuit.changed'];
    for (const type of types) source.addEventListener(type, onEvent as EventListener);
    source.addEventListener('end', () => source.close());
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setError('the event stream closed; reload to reconnect');
    };
    return () => source.close();
  }, [taskId, generation]);

  const v = view.current;
  const final = FINAL_STATUSES.has(v.status);

  async function act(action: 'cancel' | 'resume'): Promise<void> {
    setError('');
    try {
      await api(`/api/tasks/${encodeURIComponent(taskId)}/${action}`, { method: 'POST' });
      if (action === 'resume') setGeneration((g) => g + 1);
    } catch (e) {
      setError(e instanceof RequestFailed ? e.error.message : String(e));
    }
  }

  const maxSuggestions = Math.max(1, ...v.convergence.map((c) => c.suggestions));
  return (
    <section aria-labelledby="task-title">
      <h1 id="task-title">Task {taskId.slice(0, 8)}</h1>
      <p class="task-text">{v.task}</p>
      <p>
        <span class={`badge status-${v.status}`} data-testid="task-status">
          {v.status}
        </span>{' '}
        <span class="muted">{v.workflow}</span>
      </p>
      <div class="row">
        <button type="button" onClick={() => void act('cancel')} disabled={final}>
          Cancel
        </button>
        <button type="button" onClick={() => void act('resume')} disabled={!RESUMABLE_STATUSES.has(v.status)}>
          Resume
        </button>
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {v.reason && <p class="muted">{v.reason}</p>}
      <h2>Steps</h2>
      <ol class="timeline" aria-label="Steps">
        {v.steps.map((s) => (
          <li key={s.key} data-step={s.key} class={`step step-${s.state}`}>
            <div class="step-head">
              <strong>{s.agent}</strong> <span class="badge">{s.role}</span> <span class="muted">iteration {s.iteration}</span>
              <span class={`badge state-${s.state}`}>{s.state}</span>
              {s.durationMs !== undefined && <span class="muted">{(s.durationMs / 1000).toFixed(1)} s</span>}
              {s.tokens !== undefined && <span class="muted">{s.tokens} tokens</span>}
              {s.costUsd !== undefined && <span class="muted">${s.costUsd.toFixed(4)}</span>}
            </div>
            {s.activity && s.state === 'running' && <div class="muted">{s.activity}</div>}
            {s.output && (
              <pre class="output" aria-label={`Output of ${s.agent}`} aria-live={s.state === 'running' ? 'polite' : 'off'}>
                {s.output}
              </pre>
            )}
          </li>
        ))}
      </ol>
      {v.convergence.length > 0 && (
        <>
          <h2>Convergence</h2>
          <svg class="chart" role="img" aria-label={`Review suggestions per iteration: ${v.convergence.map((c) => c.suggestions).join(', ')}`} viewBox={`0 0 ${v.convergence.length * 40} 100`}>
            {v.convergence.map((c, i) => {
              const h = (c.suggestions / maxSuggestions) * 80;
              return (
                <g key={c.iteration}>
                  <rect x={i * 40 + 8} y={90 - h} width={24} height={Math.max(h, 1)} />
                  <text x={i * 40 + 20} y={100} text-anchor="middle">
                    {c.suggestions}
                  </text>
                </g>
              );
            })}
          </svg>
        </>
      )}
      <TaskFiles taskId={taskId} refreshKey={`${v.status}:${v.steps.filter((s) => s.state !== 'running').length}`} stepFiles={v.files} />
    </section>
  );
}
