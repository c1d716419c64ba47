/**
 * Coalesces concurrent reads of the same key into as few database round trips as correctness
 * allows. A caller never receives the result of a read that STARTED before it called: it joins
 * the read that starts next (after the one in flight, if any, completes), so what it gets is at
 * least as new as anything committed before it asked. A read starts on the event loop turn after
 * its first caller's (setImmediate), so requests parsed in the same turn share it; under load,
 * one read serves every request that arrived while the previous one was in flight; at rest,
 * each caller gets its own, one turn later.
 *
 * @example
 * const reads = new Coalescer<Tenant | undefined>();
 * const tenant = await reads.run(`slug:${slug}`, () => selectTenant(db, slug));
 */
export class Coalescer<T> {
  readonly #lanes = new Map<
    string,
    Array<{ resolve: (v: T) => void; reject: (e: unknown) => void }>
  >();

  run(key: string, read: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiting = this.#lanes.get(key);
      if (waiting) {
        waiting.push({ resolve, reject });
        return;
      }
      this.#lanes.set(key, [{ resolve, reject }]);
      setImmediate(() => void this.#pump(key, read));
    });
  }

  async #pump(key: string, read: () => Promise<T>): Promise<void> {
    for (;;) {
      const batch = this.#lanes.get(key);
      if (!batch || batch.length === 0) {
        this.#lanes.delete(key);
        return;
      }
      // Callers arriving from here on wait for the next read: this one may already be running.
      this.#lanes.set(key, []);
      try {
        const value = await read();
        for (const waiter of batch) waiter.resolve(value);
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
  }
}
