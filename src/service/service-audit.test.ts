import { describe, expect, it } from 'vitest';
import { auditEntryOf } from './service-audit.js';

const at = '2026-01-01T00:00:00.000Z';

describe('auditEntryOf', () => {
  it('keeps a task’s life and summarises its text to one line', () => {
    const long = `fix the login\n\n${'and more '.repeat(40)}`;
    expect(auditEntryOf({ type: 'task.created', taskId: 't', timestamp: at, task: long, workflow: 'default', cwd: '/w', source: 'api' })).toMatchObject({
      type: 'task.submitted',
      taskId: 't',
      source: 'api',
      task: expect.stringMatching(/^fix the login and more .*…$/) as unknown,
    });
    expect(auditEntryOf({ type: 'task.queued', taskId: 't', timestamp: at, waitingFor: 'u', cwd: '/w' })).toEqual({ type: 'task.queued', taskId: 't', waitingFor: 'u', cwd: '/w' });
    expect(
      auditEntryOf({ type: 'task.resumed', taskId: 't', timestamp: at, previousStatus: 'interrupted', iteration: 2, index: 1, keptSteps: 4, maxIterations: 3 }),
    ).toEqual({ type: 'task.resumed', taskId: 't', previousStatus: 'interrupted', iteration: 2, index: 1 });
  });

  it('tells a cancelled end from another end, and leaves step traffic to the event log', () => {
    const end = { taskId: 't', timestamp: at, success: false, reason: 'r', iterations: 1, finalOutput: '', durationMs: 5, usage: { inputTokens: 0, outputTokens: 0 } };
    expect(auditEntryOf({ type: 'task.finished', ...end, status: 'cancelled', stopReason: 'cancelled' })?.type).toBe('task.cancelled');
    expect(auditEntryOf({ type: 'task.finished', ...end, status: 'failed', stopReason: 'failed' })?.type).toBe('task.finished');
    expect(auditEntryOf({ type: 'agent.stderr', taskId: 't', timestamp: at, iteration: 1, index: 0, agent: 'a', line: 'x' })).toBeUndefined();
  });
});
