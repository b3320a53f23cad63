/**
 * A typed event bus: `subscribe('step.finished', fn)` infers the payload from the event union,
 * and a subscription ends with its AbortSignal. Subscriber errors never break the publisher.
 */
export interface TypedEvent {
  readonly type: string;
}

type Listener<E> = (event: E) => void;

export class EventBus<E extends TypedEvent> {
  readonly #byType = new Map<string, Set<Listener<E>>>();
  readonly #all = new Set<Listener<E>>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(options: { onListenerError?: (error: unknown) => void } = {}) {
    this.#onListenerError = options.onListenerError ?? (() => undefined);
  }

  subscribe<K extends E['type']>(
    type: K,
    listener: Listener<Extract<E, { type: K }>>,
    options: { signal?: AbortSignal } = {},
  ): () => void {
    const set = this.#byType.get(type) ?? new Set<Listener<E>>();
    this.#byType.set(type, set);
    const wrapped = listener as Listener<E>;
    set.add(wrapped);
    const off = (): void => void set.delete(wrapped);
    options.signal?.addEventListener('abort', off, { once: true });
    return off;
  }

  subscribeAll(listener: Listener<E>, options: { signal?: AbortSignal } = {}): () => void {
    this.#all.add(listener);
    const off = (): void => void this.#all.delete(listener);
    options.signal?.addEventListener('abort', off, { once: true });
    return off;
  }

  publish(event: E): void {
    for (const listener of [...(this.#byType.get(event.type) ?? []), ...this.#all]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
