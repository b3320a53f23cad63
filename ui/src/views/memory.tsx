/** Memory search: the context memory (finished tasks, notes) by keyword, meaning or both. */
import { useState } from 'preact/hooks';
import { api, RequestFailed, type MemoryHit } from '../api.js';

const MODES = ['hybrid', 'keyword', 'semantic'] as const;

export function MemoryView() {
  const [q, setQ] = useState('');
  const [mode, setMode] = useState<(typeof MODES)[number]>('hybrid');
  const [hits, setHits] = useState<MemoryHit[] | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const search = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!q.trim()) return;
    setBusy(true);
    setError('');
    try {
      const params = new URLSearchParams({ q: q.trim(), mode, limit: '20' });
      setHits((await api<{ results: MemoryHit[] }>(`/api/memory/search?${params.toString()}`)).results);
    } catch (failure) {
      setHits(undefined);
      setError(failure instanceof RequestFailed ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="memory-title">
      <h1 id="memory-title">Memory</h1>
      <form role="search" onSubmit={(e) => void search(e)}>
        <div class="row">
          <div>
            <label for="memory-q">Search memory</label>
            <input id="memory-q" type="search" value={q} maxLength={1000} onInput={(e) => setQ(e.currentTarget.value)} />
          </div>
          <div>
            <label for="memory-mode">Match</label>
            <select id="memory-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as (typeof MODES)[number])}>
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" disabled={busy || !q.trim()}>
          Search
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {hits !== undefined && (
        <ul class="list" aria-label="Memory results" aria-live="polite">
          {hits.length === 0 && <li class="muted">nothing found</li>}
          {hits.map((hit) => (
            <li key={hit.node.id} data-memory={hit.node.id}>
              <strong>{hit.node.title}</strong> <span class="badge">{hit.node.type}</span> <span class="muted">{hit.matchType} · score {hit.score.toFixed(2)}</span>
              {(hit.highlights.length > 0 ? hit.highlights : [hit.node.content.slice(0, 240)]).map((line, i) => (
                <div key={i} class="muted">
                  {line}
                </div>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
