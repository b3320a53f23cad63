import { describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.js';
import { createTaskStore } from './task-store.js';

const KEY = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345';

describe('the task store keeps secrets out', () => {
  it('stores the task text, the reason and the final output redacted', () => {
    const db = openDatabase(':memory:');
    const store = createTaskStore(db);
    const task = store.create({ task: `use ${KEY} to call the API`, workflow: 'default', maxIterations: 1, cwd: '/tmp' });
    store.claimWorkingTree(task.id);
    store.start(task.id);
    store.finish(task.id, {
      status: 'completed',
      success: true,
      stopReason: 'converged',
      reason: `converged with ${KEY}`,
      iterations: 1,
      finalOutput: `done; key was ${KEY}`,
      usage: { inputTokens: 0, outputTokens: 0 },
    });
    const raw = JSON.stringify(db.prepare('SELECT * FROM tasks').all());
    expect(raw).not.toContain(KEY);
    expect(store.get(task.id)?.task).toBe('use [REDACTED] to call the API');
    expect(store.get(task.id)?.finalOutput).toBe('done; key was [REDACTED]');
  });
});
