/** Model servers: the local backends (Ollama, llama-server, OpenAI-compatible) the configuration uses, probed now. */
import { useEffect, useState } from 'preact/hooks';
import { api, RequestFailed, type ModelsStatus } from '../api.js';

export function ModelsView() {
  const [status, setStatus] = useState<ModelsStatus | undefined>();
  const [error, setError] = useState('');
  const [round, setRound] = useState(0);
  useEffect(() => {
    setStatus(undefined);
    setError('');
    void api<ModelsStatus>('/api/models/status').then(setStatus, (failure: unknown) => setError(failure instanceof RequestFailed ? failure.message : String(failure)));
  }, [round]);
  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Model servers</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {status === undefined ? (
        !error && <p aria-busy="true">probing model servers…</p>
      ) : (
        <>
          <p class="muted">
            {status.summary.online_backends} of {status.summary.backends} server(s) online · {status.summary.models} model(s) · {status.summary.enabled_local_agents} of {status.summary.local_agents} local agent(s)
            enabled
          </p>
          <ul class="list" aria-label="Model servers">
            {status.backends.length === 0 && <li class="muted">no local model agents configured</li>}
            {status.backends.map((b) => (
              <li key={`${b.backend} ${b.url}`} data-backend={b.backend}>
                <strong>{b.backend}</strong> <code>{b.url}</code>{' '}
                <span class={`badge ${b.online ? 'state-done' : 'state-failed'}`}>{b.online ? (b.loading ? 'loading' : 'online') : 'offline'}</span>
                <div class="muted">
                  {b.version && `version ${b.version} · `}
                  {b.models.length > 0 ? `models: ${b.models.join(', ')}` : 'no models'}
                  {b.agents.length > 0 && ` · agents: ${b.agents.join(', ')}`}
                </div>
                {b.error && <div class="error">{b.error}{b.fix ? ` — ${b.fix}` : ''}</div>}
                {b.missing_models?.map((m) => (
                  <div key={m.model} class="error" data-missing-model={m.model}>
                    {m.model} ({m.agents.join(', ')}) is not pulled: {m.fix}
                  </div>
                ))}
              </li>
            ))}
          </ul>
        </>
      )}
      <button type="button" onClick={() => setRound(round + 1)}>
        Check again
      </button>
    </section>
  );
}
