/**
 * A one-line progress display on stderr for long directory builds: entries scanned, then files
 * and bytes hashed, rate and time left. It draws nothing unless stderr is a terminal and the run
 * has lasted {@link PROGRESS_DELAY_MS}, so pipes, logs and tests see no output.
 *
 * @module
 */

/** Show the line only after this long, so quick runs print nothing. */
export const PROGRESS_DELAY_MS = 1000;
/** Redraw at most this often. */
const REDRAW_MS = 200;

/** Where the line goes and what time it is; replaceable in tests. */
export interface ProgressSink {
  isTerminal(): boolean;
  write(text: string): void;
  now(): number;
}

const STDERR_SINK: ProgressSink = {
  isTerminal: () => Deno.stderr.isTerminal(),
  write: (text) => {
    Deno.stderr.writeSync(new TextEncoder().encode(text));
  },
  now: () => performance.now(),
};

/** Formats a byte count with binary units (`1.5 GiB`). */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** Formats seconds as `1m05s` or `42s`. */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  return t >= 60 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, "0")}s` : `${t}s`;
}

/** Progress of one build. Call the `add…` methods freely; drawing is rate-limited. */
export class Progress {
  readonly #sink: ProgressSink;
  readonly #enabled: boolean;
  readonly #start: number;
  #lastDraw = 0;
  #drawn = false;
  #scanned = 0;
  #hashStart = 0;
  #files = 0;
  #bytes = 0;
  #totalFiles = 0;
  #totalBytes = 0;
  #totalsKnown = false;

  /**
   * @param enabled False turns every call into a no-op.
   * @param sink Output and clock; stderr and `performance.now()` by default.
   */
  constructor(enabled: boolean, sink: ProgressSink = STDERR_SINK) {
    this.#sink = sink;
    this.#enabled = enabled && sink.isTerminal();
    this.#start = sink.now();
  }

  /** Counts directory entries read by the walk. */
  addScanned(n: number): void {
    if (!this.#enabled) return;
    this.#scanned += n;
    this.#maybeDraw();
  }

  /** Files queued for hashing so far, and their bytes; `final` once the walk is over. */
  setTotals(files: number, bytes: number, final: boolean): void {
    if (!this.#enabled) return;
    this.#totalFiles = files;
    this.#totalBytes = bytes;
    this.#totalsKnown = final;
  }

  /** Counts hashed files and bytes. */
  addHashed(files: number, bytes: number): void {
    if (!this.#enabled) return;
    if (this.#hashStart === 0) this.#hashStart = this.#sink.now();
    this.#files += files;
    this.#bytes += bytes;
    this.#maybeDraw();
  }

  /** Erases the line, if one was drawn. */
  finish(): void {
    if (this.#drawn) this.#sink.write("\r\x1b[K");
    this.#drawn = false;
  }

  /** The text of the line now (exposed for tests). */
  line(): string {
    const now = this.#sink.now();
    const parts = [`scanned ${this.#scanned} entries`];
    if (this.#totalFiles > 0) {
      const of = this.#totalsKnown ? "" : "+";
      parts.push(
        `hashed ${this.#files}/${this.#totalFiles}${of} files, ` +
          `${formatBytes(this.#bytes)}/${formatBytes(this.#totalBytes)}${of}`,
      );
      const secs = (now - (this.#hashStart || now)) / 1000;
      if (secs > 0 && this.#bytes > 0) {
        const rate = this.#bytes / secs;
        parts.push(`${formatBytes(rate)}/s`);
        if (this.#totalsKnown) {
          parts.push(`${formatSeconds((this.#totalBytes - this.#bytes) / rate)} left`);
        }
      }
    }
    return parts.join(", ");
  }

  #maybeDraw(): void {
    const now = this.#sink.now();
    if (now - this.#start < PROGRESS_DELAY_MS || now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    this.#drawn = true;
    this.#sink.write(`\r\x1b[K${this.line()}`);
  }
}
