/**
 * The progress line of a long store fill on a terminal: objects and bytes copied, rate and time
 * left. Like the scan's line it draws nothing unless stderr is a terminal and the fill has run
 * for {@link PROGRESS_DELAY_MS}.
 *
 * @module
 */
import {
  formatBytes,
  formatSeconds,
  PROGRESS_DELAY_MS,
  type ProgressSink,
} from "../fs/progress.ts";

/** Redraw at most this often. */
const REDRAW_MS = 200;

const STDERR_SINK: ProgressSink = {
  isTerminal: () => Deno.stderr.isTerminal(),
  write: (text) => {
    Deno.stderr.writeSync(new TextEncoder().encode(text));
  },
  now: () => performance.now(),
};

/** Progress of one store fill. */
export class StoreProgress {
  readonly #sink: ProgressSink;
  readonly #enabled: boolean;
  readonly #start: number;
  readonly #files: number;
  readonly #bytes: number;
  #lastDraw = 0;
  #drawn = false;

  /**
   * A line that starts its clock now.
   *
   * @param enabled False turns every call into a no-op.
   * @param total The objects to copy and their bytes.
   * @param sink Output and clock; stderr and `performance.now()` by default.
   */
  constructor(
    enabled: boolean,
    total: { files: number; bytes: number },
    sink: ProgressSink = STDERR_SINK,
  ) {
    this.#sink = sink;
    this.#enabled = enabled && sink.isTerminal();
    this.#start = sink.now();
    this.#files = total.files;
    this.#bytes = total.bytes;
  }

  /** Redraws with the counts done so far, when the line is due. */
  update(done: { files: number; bytes: number }): void {
    if (!this.#enabled) return;
    const now = this.#sink.now();
    if (now - this.#start < PROGRESS_DELAY_MS || now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    this.#drawn = true;
    this.#sink.write(`\r\x1b[K${this.line(done)}`);
  }

  /** The text of the line for these counts (exposed for tests). */
  line(done: { files: number; bytes: number }): string {
    const parts = [
      `store: ${done.files}/${this.#files} objects, ` +
      `${formatBytes(done.bytes)}/${formatBytes(this.#bytes)}`,
    ];
    const secs = (this.#sink.now() - this.#start) / 1000;
    if (secs > 0 && done.bytes > 0) {
      const rate = done.bytes / secs;
      parts.push(
        `${formatBytes(rate)}/s`,
        `${formatSeconds((this.#bytes - done.bytes) / rate)} left`,
      );
    }
    return parts.join(", ");
  }

  /** Erases the line, if one was drawn. */
  finish(): void {
    if (this.#drawn) this.#sink.write("\r\x1b[K");
    this.#drawn = false;
  }
}
