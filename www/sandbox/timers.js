// A set of timers that can all be cancelled at once, so close() leaves nothing behind and
// `node --test` can exit.

const MAX_DELAY = 2 ** 31 - 1; // setTimeout's limit

export class TimerSet {
  #timers = new Set();
  #closed = false;

  /** Like setTimeout; returns a cancel function. Does nothing once the set is closed. */
  set(fn, ms) {
    if (this.#closed) return () => {};
    const t = setTimeout(
      () => {
        this.#timers.delete(t);
        fn();
      },
      Math.min(Math.max(0, ms), MAX_DELAY),
    );
    this.#timers.add(t);
    return () => {
      clearTimeout(t);
      this.#timers.delete(t);
    };
  }

  /** Resolves after ms (never resolves if the set is cleared first; callers then get dropped). */
  sleep(ms) {
    return new Promise((resolve) => this.set(resolve, ms));
  }

  get size() {
    return this.#timers.size;
  }

  clear() {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  close() {
    this.#closed = true;
    this.clear();
  }
}
