/**
 * A push-to-pull bridge: node-llama-cpp hands out text through a callback while an adapter
 * yields events from an async generator. Chunks queue until read; `close` ends the iteration
 * once the queue is drained.
 */
export interface ChunkChannel extends AsyncIterable<string> {
  push(chunk: string): void;
  close(): void;
}

export function createChunkChannel(): ChunkChannel {
  const queue: string[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  return {
    push(chunk) {
      if (closed || chunk === '') return;
      queue.push(chunk);
      poke();
    },
    close() {
      closed = true;
      poke();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (closed) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}
