/** Agents: availability, success rate, circuit state, last failure and its fix. */
import { useEffect, useState } from 'preact/hooks';
import { api, type AgentInfo } from '../api.js';

export function AgentsView() {
  const [agents, setAgents] = useState<AgentInfo[] | undefined>();
  useEffect(() => {
    void api<{ agents: AgentInfo[] }>('/api/agents').then((r) => setAgents(r.agents), () => setAgents([]));
  }, []);
  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      {agents === undefined ? (
        <p aria-busy="true">checking agents…</p>
      ) : (
        <ul class="list" aria-label="Agents">
          {agents.map((a) => (
            <li key={a.name} data-agent={a.name}>
              <strong>{a.name}</strong> <span class="badge">{a.role || a.type}</span>{' '}
              <span class={`badge ${a.available && a.enabled ? 'state-done' : 'state-failed'}`}>{!a.enabled ? 'disabled' : a.available ? 'available' : 'unavailable'}</span>{' '}
              {a.health && <span class={`badge circuit-${a.health.circuit}`}>circuit {a.health.circuit}</span>}
              <div class="muted">
                {a.availability}
                {a.health && ` · ${a.health.calls} call(s)`}
                {a.health?.success_rate !== null && a.health?.success_rate !== undefined && ` · ${Math.round(a.health.success_rate * 100)}% success`}
                {a.health?.last_failure_kind && ` · last failure: ${a.health.last_failure_kind}`}
              </div>
              {a.health?.last_failure_kind && a.health.last_failure_fix && <div class="muted" data-fix>fix: {a.health.last_failure_fix}</div>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
