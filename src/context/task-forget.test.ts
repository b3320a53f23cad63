import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryManager } from './memory-manager.js';
import { forgetTaskMemory, taskMemoryNodeIds } from './task-forget.js';

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const item of opened.splice(0)) item.close();
});

async function memoryWithTasks(): Promise<MemoryManager> {
  const memory = await MemoryManager.open({ dbPath: ':memory:' });
  opened.push(memory);
  const failing = { agent: 'codex', role: 'review', success: false, output: 'the schema migration broke the users table', error: { kind: 'task_failed', message: 'migration 12 failed: users table' } };
  // Task a: two steps, the second one a mistake only a makes.
  await memory.storeTask({
    taskId: 'task-a',
    description: 'Add pagination to the orders endpoint',
    outcome: 'paginated',
    success: false,
    status: 'failed',
    steps: [
      { agent: 'claude', role: 'implement', success: true, output: 'added limit and offset' },
      { agent: 'gemini', role: 'review', success: false, output: 'orders pagination off by one', error: { kind: 'task_failed', message: 'off by one in orders pagination page size' } },
    ],
  });
  // Tasks b and c make the same mistake: one node, caused by both.
  for (const taskId of ['task-b', 'task-c']) {
    await memory.storeTask({ taskId, description: `Migrate the users schema (${taskId})`, success: false, status: 'failed', steps: [failing] });
  }
  await memory.storeDecision({ title: 'Pages of 50', decision: 'orders are paged by 50', taskId: 'task-a' });
  await memory.storeConversation({ messages: [{ role: 'user', content: 'why page by 50?' }], taskId: 'task-a' });
  return memory;
}

describe('task memory', () => {
  it("takes a task's node, its step outputs, its own mistakes and conversations — not its decisions", async () => {
    const memory = await memoryWithTasks();
    const ids = taskMemoryNodeIds(memory.store.db, ['task-a']);
    const types = ids.map((id) => memory.getNode(id)?.type).sort();
    expect(types).toEqual(['agent_output', 'agent_output', 'conversation', 'mistake', 'task']);
    expect(ids).toContain('task-a');
    expect(ids).toContain('task-a:step:1');
    expect(memory.listNodes({ types: ['decision'] }).map((n) => n.id).some((id) => ids.includes(id))).toBe(false);
  });

  it('keeps a mistake while another task that made it is kept, and takes it with the last one', async () => {
    const memory = await memoryWithTasks();
    const shared = memory.listNodes({ types: ['mistake'] }).find((n) => n.title.includes('users schema'));
    expect(shared).toBeDefined();
    expect(taskMemoryNodeIds(memory.store.db, ['task-b'])).not.toContain(shared?.id);
    expect(taskMemoryNodeIds(memory.store.db, ['task-b', 'task-c'])).toContain(shared?.id);
  });

  it('deletes them with their edges, so search no longer finds the task', async () => {
    const memory = await memoryWithTasks();
    expect((await memory.search('orders pagination', { types: ['task'] })).map((h) => h.node.id)).toContain('task-a');
    const expected = taskMemoryNodeIds(memory.store.db, ['task-a']).length;
    expect(forgetTaskMemory(memory.store.db, ['task-a'])).toBe(expected);
    expect(memory.getNode('task-a')).toBeUndefined();
    expect(memory.getNode('task-a:step:2')).toBeUndefined();
    expect(await memory.search('orders pagination', { types: ['task', 'agent_output', 'mistake'] })).toEqual([]);
    expect(memory.store.allEdges().some((e) => e.sourceId.startsWith('task-a') || e.targetId === 'task-a')).toBe(false);
    // The other tasks are untouched.
    expect(memory.getNode('task-b')).toBeDefined();
    expect(memory.listNodes({ types: ['decision'] })).toHaveLength(1);
  });

  it('finds nothing, and creates nothing, in a database whose memory was never opened', () => {
    const db = new Database(':memory:');
    opened.push(db);
    expect(taskMemoryNodeIds(db, ['task-a'])).toEqual([]);
    expect(forgetTaskMemory(db, ['task-a'])).toBe(0);
    expect(db.prepare("SELECT count(*) AS c FROM sqlite_master WHERE type = 'table'").get()).toEqual({ c: 0 });
  });
});
