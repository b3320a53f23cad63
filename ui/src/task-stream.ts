/**
 * A task's live state, folded from its event stream (SSE: /api/tasks/:id/events). Events are
 * applied in seq order and a seq seen before is ignored, so a reconnect or a reload that replays
 * from the start rebuilds the same view with every step once.
 */
export interface StepView {
  readonly key: string;
  readonly iteration: number;
  readonly index: number;
  agent: string;
  role: string;
  state: 'running' | 'done' | 'failed';
  durationMs?: number;
  tokens?: number;
  costUsd?: number;
  output: string;
  activity?: string;
}

export interface TaskView {
  lastSeq: number;
  status: string;
  task: string;
  workflow: string;
  plan: { agent: string; role: string }[];
  steps: StepView[];
  convergence: { iteration: number; suggestions: number }[];
  files: string[];
  reason?: string;
  finalOutput?: string;
}

export function emptyView(): TaskView {
  return { lastSeq: 0, status: 'queued', task: '', workflow: '', plan: [], steps: [], convergence: [], files: [] };
}

type Event = { type: string } & Record<string, unknown>;

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Applies one stored event; returns false when its seq was already applied. */
export function applyEvent(view: TaskView, seq: number, event: Event): boolean {
  if (seq <= view.lastSeq) return false;
  view.lastSeq = seq;
  const step = (iteration: number, index: number): StepView | undefined => view.steps.find((s) => s.iteration === iteration && s.index === index);
  switch (event.type) {
    case 'task.created':
      view.task = str(event['task']);
      view.workflow = str(event['workflow']);
      break;
    case 'task.queued':
      view.status = 'queued';
      break;
    case 'task.planned': {
      const plan = event['plan'] as { workflow: string; steps: { agent: string; role: string }[] };
      view.plan = plan.steps.map((s) => ({ agent: s.agent, role: s.role }));
      view.workflow = plan.workflow;
      view.status = 'pending';
      break;
    }
    case 'task.resumed':
      view.status = 'pending';
      view.steps = view.steps.filter((s) => s.state === 'done');
      break;
    case 'task.started':
      view.status = 'in_progress';
      break;
    case 'step.started': {
      const iteration = num(event['iteration']);
      const index = num(event['index']);
      const existing = step(iteration, index);
      if (existing) {
        existing.agent = str(event['agent']);
        existing.state = 'running';
        existing.output = '';
      } else {
        view.steps.push({ key: `${iteration}:${index}`, iteration, index, agent: str(event['agent']), role: str(event['role']), state: 'running', output: '' });
      }
      break;
    }
    case 'step.activity': {
      const s = step(num(event['iteration']), num(event['index']));
      if (s) s.activity = str(event['activity']);
      break;
    }
    case 'step.output': {
      const s = step(num(event['iteration']), num(event['index']));
      const out = event['event'] as { type: string; text?: string };
      if (s && out.type === 'text-delta') s.output += out.text ?? '';
      if (s && out.type === 'text') s.output = out.text ?? '';
      break;
    }
    case 'step.finished': {
      const record = event['step'] as { iteration: number; index: number; agent: string; success: boolean; output: string; durationMs: number; usage: { inputTokens: number; outputTokens: number; costUsd?: number }; filesModified: string[] };
      const s = step(record.iteration, record.index);
      if (s) {
        s.state = record.success ? 'done' : 'failed';
        s.agent = record.agent;
        s.output = record.output;
        s.durationMs = record.durationMs;
        s.tokens = record.usage.inputTokens + record.usage.outputTokens;
        if (record.usage.costUsd !== undefined) s.costUsd = record.usage.costUsd;
      }
      view.files = [...new Set([...view.files, ...record.filesModified])].sort();
      break;
    }
    case 'iteration.finished': {
      const it = event['iteration'] as { iteration: number; suggestionCount: number };
      view.convergence = [...view.convergence.filter((c) => c.iteration !== it.iteration), { iteration: it.iteration, suggestions: it.suggestionCount }];
      break;
    }
    case 'task.finished':
      view.status = str(event['status']);
      view.reason = str(event['reason']);
      view.finalOutput = str(event['finalOutput']);
      for (const s of view.steps) if (s.state === 'running') s.state = 'failed';
      break;
    default:
      break;
  }
  return true;
}
