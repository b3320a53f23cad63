/**
 * What the live display leaves on the screen, on a terminal (spinner, line rewriting) and off one
 * (plain lines): retries, the cancel line, the final line, proposed changes, failures with their
 * fix, the spinner's activity. A small terminal model replays the bytes (\r, ESC[K, \n) so the
 * terminal case is judged by what a person would see, not by escape codes.
 */
import { describe, expect, it } from 'vitest';
import type { Usage } from '../../adapters/spec.js';
import type { OrchestratorEvent, StepRecord } from '../../events/events.js';
import { createEventRenderer, type EventRenderer } from './event-renderer.js';
import { createStyle } from './style.js';

const taskId = 'abcdef1234567890';
const at = '2025-01-01T00:00:00.000Z';
const base = { taskId, timestamp: at };

const step: StepRecord = {
  iteration: 1, index: 0, agent: 'codex', role: 'implement', success: true, output: 'done', suggestions: [], filesModified: ['a.ts'],
  durationMs: 1200, usage: { inputTokens: 100, outputTokens: 50, costUsd: 0.01 }, startedAt: at, finishedAt: at,
};

const started: OrchestratorEvent = {
  type: 'task.started', ...base, task: 't', workflow: 'default', maxIterations: 2, cwd: '/w',
  steps: [{ agent: 'codex', role: 'implement' }, { agent: 'local', role: 'review' }], skipped: [],
};
const stepStarted = (agent: string, index = 0): OrchestratorEvent => ({
  type: 'step.started', ...base, iteration: 1, index, stepCount: 2, agent, role: index === 0 ? 'implement' : 'review',
});
const finished = (status: 'completed' | 'failed' | 'cancelled', usage: Usage = { inputTokens: 0, outputTokens: 0 }, reason = 'cancelled by the user'): OrchestratorEvent => ({
  type: 'task.finished', ...base, status, success: status === 'completed', stopReason: status === 'completed' ? 'converged' : status, reason,
  iterations: 1, finalOutput: 'stale output', durationMs: 3700, usage,
});

/** What a terminal shows after these bytes: \r returns to the line start, ESC[K clears to its end. */
function screen(bytes: string): string[] {
  const lines: string[] = [''];
  let column = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] ?? '';
    const row = lines.length - 1;
    if (c === '\r') column = 0;
    else if (c === '\n') {
      lines.push('');
      column = 0;
    } else if (bytes.startsWith('\x1b[K', i)) {
      lines[row] = (lines[row] ?? '').slice(0, column);
      i += 2;
    } else {
      const current = lines[row] ?? '';
      lines[row] = current.slice(0, column) + c + current.slice(column + 1);
      column++;
    }
  }
  return lines;
}

function display(tty: boolean, options: { stallWarningMs?: number } = {}): { renderer: EventRenderer; text: () => string } {
  let text = '';
  const renderer = createEventRenderer({ out: { write: (s: string) => (text += s) }, style: createStyle(false), live: tty, stream: false, ...options });
  return { renderer, text: () => text };
}

/** The lines a run leaves, for each mode: the plain text, and the terminal's screen. */
function shown(tty: boolean, events: readonly OrchestratorEvent[], between?: (r: EventRenderer) => void): string[] {
  const { renderer, text } = display(tty);
  events.forEach((event, i) => {
    renderer.render(event);
    if (i === 1 && between) between(renderer);
  });
  renderer.stop();
  return tty ? screen(text()).filter((line) => line !== '') : text().split('\n').filter((line) => line !== '');
}

describe.each([
  ['on a terminal', true],
  ['off a terminal', false],
])('the live display %s', (_mode, tty) => {
  it('ends a cancelled task with exactly one line: no cut-off step, no iteration line, no "cancelled: cancelled"', () => {
    const events: OrchestratorEvent[] = [
      started,
      stepStarted('codex'),
      { type: 'step.finished', ...base, step: { ...step, success: false, error: { kind: 'cancelled', message: 'cancelled' } } },
      {
        type: 'iteration.finished', ...base,
        iteration: { iteration: 1, reviews: [], suggestionCount: 0, filesChanged: [], usage: step.usage, allSucceeded: false, durationMs: 10, stop: { reason: 'cancelled', detail: 'cancelled by the user' } },
      },
      finished('cancelled', { inputTokens: 100, outputTokens: 50, costUsd: 0.01 }),
    ];
    const lines = shown(tty, events, (renderer) => renderer.cancelling());
    const afterStart = lines.slice(1).filter((line) => !line.startsWith('[1/2 · 1/2] codex implement'));
    expect(afterStart).toEqual(['■ cancelled after 1 iteration in 3.7s (by the user) · 150 tokens, $0.0100']);
    expect(lines.join('\n')).not.toContain('cancelled: cancelled');
  });

  it('shows a retry as a line of its own, and the running step goes on being shown after it', () => {
    const { renderer, text } = display(tty);
    renderer.render(started);
    renderer.render(stepStarted('codex'));
    renderer.render({ type: 'agent.retrying', ...base, agent: 'codex', iteration: 1, index: 0, attempt: 1, maxAttempts: 2, delayMs: 1000, error: { kind: 'server', message: 'HTTP 503' } });
    const retry = '  ↻ codex: server (HTTP 503); retry 2/2 in 1.0 s';
    if (tty) {
      const lines = screen(text());
      expect(lines.at(-2)).toBe(retry);
      // The spinner is redrawn under the retry line, not left on it.
      expect(lines.at(-1)).toMatch(/^[⠋⠙⠹] \[1\/2 · 1\/2\] codex implement \d+ms$/);
    } else {
      expect(text().split('\n').slice(-3)).toEqual(['[1/2 · 1/2] codex implement …', retry, '']);
    }
    renderer.stop();
    if (tty) expect(screen(text()).at(-1)).toBe('');
  });

  it('writes a logged warning as a line of its own, the step still shown under it', () => {
    const { renderer, text } = display(tty);
    renderer.render(started);
    renderer.render(stepStarted('codex'));
    renderer.note('warning: codex failed (server); falling back to local');
    const lines = tty ? screen(text()) : text().split('\n');
    expect(lines.at(-2)).toBe('warning: codex failed (server); falling back to local');
    if (tty) expect(lines.at(-1)).toMatch(/^. \[1\/2 · 1\/2\] codex implement \d+ms$/);
    renderer.stop();
  });

  it('ends with the tokens and cost on the final line, naming the agents whose cost is unknown', () => {
    const events: OrchestratorEvent[] = [
      started,
      stepStarted('codex'),
      { type: 'step.finished', ...base, step },
      { type: 'step.finished', ...base, step: { ...step, index: 1, agent: 'local', role: 'review', usage: { inputTokens: 900, outputTokens: 100 } } },
      finished('completed', { inputTokens: 1000, outputTokens: 150, costUsd: 0.01 }, '0 suggestions ≤ 3'),
    ];
    expect(shown(tty, events).at(-1)).toBe('✓ completed after 1 iteration in 3.7s (converged: 0 suggestions ≤ 3) · 1.1k tokens, $0.0100; cost unknown for local');
  });

  it('lists the files a local model proposed but did not write, and how to write them, before the final line', () => {
    const proposing: StepRecord = {
      ...step, agent: 'local', usage: { inputTokens: 0, outputTokens: 0 },
      proposedChanges: [
        { path: 'src/a.ts', content: 'a', applied: false },
        { path: 'src/b.ts', content: 'b', applied: false },
        { path: '../outside.ts', content: 'x', applied: false, note: 'not written: path leaves the working directory' },
      ],
    };
    const events: OrchestratorEvent[] = [started, stepStarted('local'), { type: 'step.finished', ...base, step: proposing }, finished('completed', undefined, 'done')];
    expect(shown(tty, events).slice(-4)).toEqual([
      '  local proposed 2 files, not written: src/a.ts, src/b.ts',
      '  write them: ai-orchestrator tasks apply abcdef12 --proposed (settings.apply_local_edits: true writes them as they come)',
      '  local proposed ../outside.ts, not written: path leaves the working directory',
      '✓ completed after 1 iteration in 3.7s (converged: done)',
    ]);
  });

  it('lists no proposal a later step wrote, and none for a cancelled task', () => {
    const proposed: StepRecord = { ...step, agent: 'local', proposedChanges: [{ path: 'src/a.ts', content: 'a', applied: false }] };
    const applied: StepRecord = { ...step, agent: 'local', index: 1, proposedChanges: [{ path: 'src/a.ts', content: 'a2', applied: true }] };
    const written = shown(tty, [started, stepStarted('local'), { type: 'step.finished', ...base, step: proposed }, { type: 'step.finished', ...base, step: applied }, finished('completed', undefined, 'done')]);
    expect(written.join('\n')).not.toContain('proposed');
    const cancelled = shown(tty, [started, stepStarted('local'), { type: 'step.finished', ...base, step: proposed }, finished('cancelled')]);
    expect(cancelled.join('\n')).not.toContain('proposed');
  });

  it('says what to do about a failure that has a fix, under its error line', () => {
    const failed: StepRecord = {
      ...step, success: false, usage: { inputTokens: 0, outputTokens: 0 },
      error: { kind: 'auth', message: 'codex exited with code 1: 401 Unauthorized', fix: 'run `codex login`, or set OPENAI_API_KEY in your environment or in agents.codex.env' },
    };
    const lines = shown(tty, [started, stepStarted('codex'), { type: 'step.finished', ...base, step: failed }, finished('failed', undefined, 'step 1 (codex implement) failed')]);
    expect(lines.slice(-4)).toEqual([
      '✗ [1/2 · 1/2] codex implement 1.2s, 1 file',
      '  auth: codex exited with code 1: 401 Unauthorized',
      '  fix: run `codex login`, or set OPENAI_API_KEY in your environment or in agents.codex.env',
      '✗ failed after 1 iteration in 3.7s (step 1 (codex implement) failed)',
    ]);
  });

  it('shows no suggestion count for a failed review', () => {
    const review: StepRecord = { ...step, role: 'review', success: false, suggestions: [], usage: { inputTokens: 0, outputTokens: 0 }, filesModified: [], error: { kind: 'server', message: '503' } };
    const lines = shown(tty, [started, stepStarted('codex'), { type: 'step.finished', ...base, step: review }]);
    expect(lines.at(-2)).toBe('✗ [1/2 · 1/2] codex review 1.2s');
    expect(lines.join('\n')).not.toContain('suggestion');
  });
});

describe('the spinner (terminal only)', () => {
  it("shows what the agent is doing, and says so when it has been silent for settings.stall_warning", async () => {
    const { renderer, text } = display(true, { stallWarningMs: 150 });
    renderer.render(started);
    const now = new Date().toISOString();
    renderer.render({ ...stepStarted('codex'), timestamp: now });
    renderer.render({ type: 'step.activity', taskId, timestamp: now, iteration: 1, index: 0, agent: 'codex', activity: 'editing src/a.ts' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(screen(text()).at(-1)).toMatch(/^. \[1\/2 · 1\/2\] codex implement \d+ms · editing src\/a\.ts$/);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(screen(text()).at(-1)).toMatch(/ · no output for \d\.\ds$/);
    renderer.stop();
  });

  it('says it is cancelling until the final line replaces it; off a terminal a cancel adds no line of its own', () => {
    const tty = display(true);
    tty.renderer.render(started);
    tty.renderer.render(stepStarted('codex'));
    tty.renderer.cancelling();
    expect(screen(tty.text()).at(-1)).toMatch(/^. cancelling the task \(Ctrl\+C again to exit at once\) \d+ms$/);
    tty.renderer.render(finished('cancelled'));
    expect(screen(tty.text()).slice(-2)).toEqual(['■ cancelled after 1 iteration in 3.7s (by the user)', '']);
    expect(tty.renderer.endShown).toBe(true);

    const plain = display(false);
    plain.renderer.render(started);
    const before = plain.text();
    plain.renderer.cancelling();
    expect(plain.text()).toBe(before);
  });
});
