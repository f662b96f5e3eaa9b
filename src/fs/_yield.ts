/**
 * A fast way to let the event loop run queued events from synchronous-heavy code.
 *
 * @module
 */

/**
 * Lets queued events (worker replies) run: a message to ourselves is a macrotask that fires in
 * about 0.1 ms, where `setTimeout(0)` waits milliseconds.
 */
export class Yielder {
  #channel: MessageChannel | null = null;
  #resolve: (() => void) | null = null;

  /** Resolves once the events queued before the call have run. */
  yield(): Promise<void> {
    if (this.#channel === null) {
      this.#channel = new MessageChannel();
      this.#channel.port1.onmessage = () => {
        const r = this.#resolve;
        this.#resolve = null;
        r?.();
      };
    }
    const channel = this.#channel;
    return new Promise((resolve) => {
      this.#resolve = resolve;
      channel.port2.postMessage(0);
    });
  }

  /** Releases the channel (it would keep the process alive). */
  close(): void {
    this.#channel?.port1.close();
    this.#channel?.port2.close();
    this.#channel = null;
  }
}
