/**
 * A FIFO queue with a capacity: pushing beyond it drops the oldest items and says how many.
 * Taking a batch and putting it back (a failed write) keeps the order. Amortised O(1) per
 * item: the backing array is compacted only once half of it is consumed.
 */
export class BoundedQueue<T> {
  #items: T[] = [];
  #head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error("a queue's capacity is a whole number of at least 1");
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends; returns how many of the oldest items were dropped to make room (0 or 1). */
  push(item: T): number {
    this.#items.push(item);
    return this.#trim();
  }

  /** Removes and returns up to `n` items from the front. */
  take(n: number): T[] {
    const batch = this.#items.slice(this.#head, this.#head + n);
    this.#head += batch.length;
    if (this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return batch;
  }

  /**
   * Puts a taken batch back at the front (its write failed); returns how many of the oldest
   * items were dropped because the queue filled up while the batch was out.
   */
  putBack(batch: T[]): number {
    this.#items = batch.concat(this.#items.slice(this.#head));
    this.#head = 0;
    return this.#trim();
  }

  #trim(): number {
    const excess = this.length - this.capacity;
    if (excess <= 0) return 0;
    this.#head += excess;
    if (this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return excess;
  }
}
