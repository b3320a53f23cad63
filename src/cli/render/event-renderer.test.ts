import { describe, expect, it } from 'vitest';
import type { OrchestratorEvent, StepRecord } from '../../events/events.js';
import { createEventRenderer } from './event-renderer.js';
import { colorWanted, createStyle } from './style.js';

const at = '2025-01-01T00:00:00.000Z';
const step: StepRecord = {
  iteration: 1, index: 1, agent: 'gemini', role: 'review', success: true, output: '1. a\n2. b',
  suggestions: ['a', 'b'], filesModified: [], durationMs: 1500, usage: { inputTokens: 1200, outputTokens: 300 },
  startedAt: at, finishedAt: at,
};
const events: OrchestratorEvent[] = [
  { type: 'task.started', taskId: 'abcdef123456', timestamp: at, task: 't', workflow: 'default', maxIterations: 3, cwd: '/w',
    steps: [{ agent: 'codex', role: 'implement' }, { agent: 'gemini', role: 'review' }], skipped: [{ agent: 'copilot', role: 'suggestions', reason: 'disabled' }] },
  { type: 'step.started', taskId: 'abcdef123456', timestamp: at, iteration: 1, index: 1, stepCount: 2, agent: 'gemini', role: 'review' },
  { type: 'step.output', taskId: 'abcdef123456', timestamp: at, iteration: 1, index: 1, agent: 'gemini', event: { type: 'text-delta', text: 'streamed text' } },
  { type: 'step.finished', taskId: 'abcdef123456', timestamp: at, step },
  { type: 'step.finished', taskId: 'abcdef123456', timestamp: at, step: { ...step, index: 0, agent: 'local', role: 'implement', success: false, fallbackFrom: 'codex', error: { kind: 'server', message: '503' } } },
  { type: 'task.finished', taskId: 'abcdef123456', timestamp: at, status: 'failed', success: false, stopReason: 'failed', reason: 'step 1 failed', iterations: 1, finalOutput: '', durationMs: 2000, usage: { inputTokens: 0, outputTokens: 0 } },
];

function render(options: { stream: boolean; color: boolean; live: boolean }): string {
  let text = '';
  const renderer = createEventRenderer({ out: { write: (s: string) => (text += s) }, style: createStyle(options.color), live: options.live, stream: options.stream });
  for (const event of events) renderer.render(event);
  renderer.stop();
  return text;
}

describe('the event renderer', () => {
  it('prints plain step start/end lines, skips, fallbacks, errors and the end state', () => {
    const text = render({ stream: false, color: false, live: false });
    expect(text).toContain('▶ task abcdef12 · workflow default (codex implement → gemini review) · up to 3 iterations');
    expect(text).toContain('! skipped copilot suggestions: disabled');
    expect(text).toContain('[1/3 · 2/2] gemini review …');
    expect(text).toContain('✓ [1/3 · 2/2] gemini review 1.5s, 2 suggestions, 1.5k tokens');
    expect(text).toContain('✗ [1/3 · 1/2] local implement (fallback for codex)');
    expect(text).toContain('  server: 503');
    expect(text).toContain('✗ failed after 1 iteration in 2.0s (step 1 failed) · 0 tokens; cost unknown for gemini, local');
    expect(text).not.toContain('streamed text');
    expect(text).not.toContain('\u001b[');
  });

  it('shows a refused tool call as it happens, without --stream, and counts refusals on the step line', () => {
    let text = '';
    const renderer = createEventRenderer({ out: { write: (s: string) => (text += s) }, style: createStyle(false), live: false, stream: false });
    const refusal = { tool: 'Write', target: '/elsewhere/refined.txt', reason: "Claude requested permissions to write to /elsewhere/refined.txt, but you haven't granted it yet." };
    renderer.render({ type: 'step.output', taskId: 'abcdef123456', timestamp: at, iteration: 1, index: 0, agent: 'claude', event: { type: 'refusal', id: 'toolu_1', ...refusal } });
    renderer.render({ type: 'step.finished', taskId: 'abcdef123456', timestamp: at, step: { ...step, agent: 'claude', role: 'refine', refusals: [refusal] } });
    expect(text).toContain("  ⊘ refused: Write /elsewhere/refined.txt — Claude requested permissions to write to /elsewhere/refined.txt, but you haven't granted it yet.");
    expect(text).toContain('✓ [1/1 · 2/1] claude refine 1.5s, 1.5k tokens, 1 tool call refused');
  });

  it('shows no suggestion count for a failed review, and ends with the tokens and cost, naming agents whose cost is unknown', () => {
    let text = '';
    const renderer = createEventRenderer({ out: { write: (s: string) => (text += s) }, style: createStyle(false), live: false, stream: false });
    const priced = { ...step, index: 0, agent: 'claude', role: 'implement' as const, usage: { inputTokens: 100, outputTokens: 50, costUsd: 0.0123 } };
    const failedReview = { ...step, success: false, suggestions: [], error: { kind: 'server' as const, message: '503' } };
    renderer.render({ type: 'step.finished', taskId: 'abcdef123456', timestamp: at, step: priced });
    renderer.render({ type: 'step.finished', taskId: 'abcdef123456', timestamp: at, step: failedReview });
    renderer.render({ type: 'task.started', taskId: 'abcdef123456', timestamp: at, task: 't', workflow: 'w', maxIterations: 1, cwd: '/w', steps: [], skipped: [] });
    renderer.render({ type: 'task.finished', taskId: 'abcdef123456', timestamp: at, status: 'failed', success: false, stopReason: 'failed', reason: 'x', iterations: 1, finalOutput: '', durationMs: 10, usage: { inputTokens: 1600, outputTokens: 350, costUsd: 0.0123 } });
    expect(text).toContain('✗ [1/1 · 2/1] gemini review 1.5s, 1.5k tokens');
    expect(text).not.toContain('0 suggestions');
    expect(text).toContain('✗ failed after 1 iteration in 10ms (x) · 1.9k tokens, $0.0123; cost unknown for gemini');
  });

  it('says when a running step has printed nothing for settings.stall_warning, once, and not after it speaks again', async () => {
    let text = '';
    const renderer = createEventRenderer({ out: { write: (s: string) => (text += s) }, style: createStyle(false), live: false, stream: false, stallWarningMs: 150 });
    renderer.render({ type: 'step.started', taskId: 'abcdef123456', timestamp: new Date().toISOString(), iteration: 1, index: 0, stepCount: 1, agent: 'claude', role: 'implement' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(text.match(/claude has printed nothing for \d+ms \(still running; Ctrl\+C cancels\)/g)).toHaveLength(1);
    renderer.render({ type: 'step.finished', taskId: 'abcdef123456', timestamp: new Date().toISOString(), step: { ...step, agent: 'claude', role: 'implement', index: 0 } });
    const before = text;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(text).toBe(before);
    renderer.stop();
  });

  it('copies agent text only with stream, and colours only when asked', () => {
    expect(render({ stream: true, color: false, live: false })).toContain('streamed text');
    expect(render({ stream: false, color: true, live: false })).toContain('\u001b[32m✓');
  });

  it('wants colour only on a TTY without NO_COLOR and with colored_output on', () => {
    expect(colorWanted({ isTTY: true }, {}, true)).toBe(true);
    expect(colorWanted({ isTTY: false }, {}, true)).toBe(false);
    expect(colorWanted({ isTTY: true }, { NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ isTTY: true }, {}, false)).toBe(false);
  });
});
