/**
 * C's `--threads` digest pool in Deno form: `threads` worker threads hash while the main thread
 * walks the directory (jobs are submitted during the walk, which yields now and then so replies
 * can arrive), and in {@link DigestPool.drain} the main thread hashes too, as C's
 * `execute_in_threads` lets its calling thread work. Workers start on demand, so a small tree
 * starts few. The thread count never changes the results, only the speed.
 *
 * @module
 */
import { SysError } from "./errno.ts";
import { FileHasher, fileSha256, type HashBatch, type HashBatchResult } from "./file_hasher.ts";
import { JobQueue } from "./job_queue.ts";
import { Yielder } from "./_yield.ts";

/** Message to a worker. */
export type WorkerRequest =
  | { kind: "init"; useFfi: boolean; useKernelDigest: boolean }
  | {
    kind: "batch";
    id: number;
    /** NUL-terminated paths, one after the other. */
    paths: Uint8Array<ArrayBuffer>;
    /** lstat sizes, one per path. */
    sizes: Float64Array<ArrayBuffer>;
    /** 1 where the content is wanted (size 1..64). */
    inline: Uint8Array<ArrayBuffer>;
  };

/** A worker's answer to one batch. */
export interface BatchReply {
  kind: "done";
  id: number;
  /** 32 bytes per job. */
  digests: Uint8Array<ArrayBuffer>;
  contents: (Uint8Array | null)[];
  errors: ({ errno: number; text: string; path: Uint8Array } | null)[];
  /** Bytes hashed and not yet reported through a progress message. */
  bytes: number;
}

/** A progress message from a worker. */
interface ProgressReply {
  kind: "progress";
  bytes: number;
}

/** What became of one submitted file. */
export interface DigestOutcome {
  /** The 32-byte fs-verity digest, or null on error. */
  digest: Uint8Array | null;
  /** The file bytes when the size was 1..64 and reading succeeded. */
  content: Uint8Array | null;
  /** Why the file could not be hashed (C reports `error computing digest: <strerror>`). */
  error: SysError | null;
  /** The path that failed, when `error` is set. */
  path?: Uint8Array;
}

/** Options of {@link DigestPool}. */
export interface DigestPoolOptions {
  /** Number of worker threads (≥ 1). */
  threads: number;
  /** Open files through libc (raw byte paths); false uses Deno's APIs (UTF-8 paths only). */
  useFfi: boolean;
  /** Take the digest from the kernel for files that already have fs-verity (default true). */
  useKernelDigest?: boolean;
  /** Called as work completes, with the files and bytes done since the last call. */
  onProgress?: (files: number, bytes: number) => void;
}

/** Jobs per batch: amortises the message cost over many small files. */
const BATCH_FILES = 64;
/** A batch ends once it holds this many bytes, to keep the threads evenly loaded. */
const BATCH_BYTES = 8 << 20;
/** {@link DigestPool.drain} hashes on the main thread alone when no worker runs yet and at most
 * this many files and bytes are left. */
const LOCAL_ONLY_FILES = 256;
const LOCAL_ONLY_BYTES = 4 << 20;
/** Batches in flight per worker, so a worker never waits for the main thread while it walks. */
const IN_FLIGHT = 8;

interface PoolWorker {
  worker: Worker;
  inFlight: number;
}

/**
 * Computes digests on worker threads.
 *
 * @example
 * ```ts ignore
 * const pool = new DigestPool({ threads: 4, useFfi: true });
 * const id = pool.submit(new TextEncoder().encode("/etc/hostname"), 12n);
 * await pool.finish();
 * console.log(pool.digestOf(id));
 * pool.close();
 * ```
 */
export class DigestPool {
  readonly #options: DigestPoolOptions;
  readonly #workers: PoolWorker[] = [];
  readonly #maxWorkers: number;
  /** The main thread's hasher, made on first use in {@link DigestPool.drain}. */
  #local: FileHasher | null = null;
  /** The jobs not yet sent; ids count every job submitted. */
  readonly #jobs = new JobQueue();
  /**
   * 32 digest bytes per job in one buffer, so a large tree keeps no object per file (the walk
   * copies it into its DigestSlots); contents and errors are few and kept by job id.
   */
  #digests = new Uint8Array(32 * 1024);
  readonly #contents = new Map<number, Uint8Array>();
  readonly #errors = new Map<number, DigestOutcome>();
  #done = 0;
  #batches = new Map<number, number>(); // batch id → first job index
  #batchId = 0;
  #flushing = false;
  #waiter: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  #failure: unknown = null;

  constructor(options: DigestPoolOptions) {
    if (!(options.threads >= 1)) throw new RangeError("Cannot start the digest pool: threads < 1");
    this.#options = options;
    // `threads` workers hash while the main thread walks (with fewer, job paths pile up in the
    // queue and the walk outruns the hashing); the main thread joins them once the walk is done.
    this.#maxWorkers = Math.floor(options.threads);
  }

  /** Number of jobs submitted so far. */
  get size(): number {
    return this.#jobs.length;
  }

  /** Number of worker threads started so far (never more than `threads`). */
  get workersStarted(): number {
    return this.#workers.length;
  }

  /** True while some submitted job has not been answered. */
  get busy(): boolean {
    return this.#done < this.#jobs.length;
  }

  /**
   * Queues one regular file for hashing and returns its job id (an index into the array that
   * {@link DigestPool.drain} resolves to).
   *
   * @param path The path to open, as C builds it (`SRC/a/b`).
   * @param size The lstat size (> 0); sizes up to 64 also get their content read.
   */
  submit(path: Uint8Array, size: bigint): number {
    const id = this.#jobs.push(path, Number(size));
    if (this.#digests.length < 32 * this.#jobs.length) {
      const grown = new Uint8Array(this.#digests.length * 2);
      grown.set(this.#digests);
      this.#digests = grown;
    }
    if (
      this.#jobs.length - this.#jobs.next >= BATCH_FILES || this.#jobs.pendingBytes >= BATCH_BYTES
    ) {
      this.#pump();
    }
    return id;
  }

  /** Sends every queued job and resolves with one outcome per job id once all are answered. */
  async drain(): Promise<DigestOutcome[]> {
    await this.finish();
    return Array.from({ length: this.#jobs.length }, (_, id) => this.outcome(id));
  }

  /**
   * Sends every queued job and resolves once all are answered; then read the results with
   * {@link DigestPool.digestOf}, {@link DigestPool.contentOf} and {@link DigestPool.outcome}.
   */
  async finish(): Promise<void> {
    this.#flushing = true;
    // Little work and no worker yet: starting one would cost more than hashing here.
    const small = this.#workers.length === 0 && this.#jobs.pendingBytes < LOCAL_ONLY_BYTES &&
      this.#jobs.length - this.#jobs.next <= LOCAL_ONLY_FILES;
    if (!small) this.#pump();
    // The main thread takes batches too, yielding between them so that worker replies (and
    // the refills they trigger) are handled.
    const yielder = new Yielder();
    try {
      while (this.#jobs.next < this.#jobs.length && this.#failure === null) {
        this.#local ??= new FileHasher({
          sha256: await fileSha256(this.#options.useFfi),
          useFfi: this.#options.useFfi,
          useKernelDigest: this.#options.useKernelDigest ?? true,
          onBytes: (n) => this.#options.onProgress?.(0, n),
        });
        this.#runLocal(this.#local, this.#jobs.take(BATCH_FILES, BATCH_BYTES));
        await yielder.yield();
      }
    } finally {
      yielder.close();
    }
    if (this.busy && this.#failure === null) {
      await new Promise<void>((resolve, reject) => {
        this.#waiter = { resolve, reject };
      });
    }
    if (this.#failure !== null) throw this.#failure;
  }

  /** Number of jobs that failed; valid after {@link DigestPool.finish}. */
  get errorCount(): number {
    return this.#errors.size;
  }

  /** The digests of all jobs, 32 bytes each by job id (and unused room after); valid after finish. */
  get digestBuffer(): Uint8Array {
    return this.#digests;
  }

  /** The 32-byte digest of job `id` (a view of a shared buffer), or null if it failed. */
  digestOf(id: number): Uint8Array | null {
    return this.#errors.has(id) ? null : this.#digests.subarray(id * 32, id * 32 + 32);
  }

  /** The content of job `id` when its size was 1..64 and it was read, else null. */
  contentOf(id: number): Uint8Array | null {
    return this.#contents.get(id) ?? null;
  }

  /** Everything known of job `id`, as one object. */
  outcome(id: number): DigestOutcome {
    return this.#errors.get(id) ??
      { digest: this.digestOf(id), content: this.contentOf(id), error: null };
  }

  /** Stops the workers; call it once, after {@link DigestPool.drain} or on an error. */
  close(): void {
    for (const w of this.#workers) {
      // Deno may keep a terminated worker's handlers reachable: let them hold nothing.
      w.worker.onmessage = null;
      w.worker.onerror = null;
      w.worker.terminate();
    }
    this.#workers.length = 0;
    this.#jobs.clear();
    this.#contents.clear();
    this.#errors.clear();
  }

  /** Starts one more worker. */
  #spawn(): PoolWorker {
    const worker = new Worker(new URL("./digest_worker.ts", import.meta.url), {
      type: "module",
    });
    const pw: PoolWorker = { worker, inFlight: 0 };
    worker.onmessage = (ev: MessageEvent<BatchReply | ProgressReply>) => this.#onReply(pw, ev.data);
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.#fail(new Error(`Cannot compute digests: worker failed: ${ev.message}`));
    };
    const init: WorkerRequest = {
      kind: "init",
      useFfi: this.#options.useFfi,
      useKernelDigest: this.#options.useKernelDigest ?? true,
    };
    worker.postMessage(init);
    this.#workers.push(pw);
    return pw;
  }

  /**
   * The worker for the next batch: an idle one, else a new one while fewer than `threads` run
   * (so a small tree starts only the workers it can use), else the least busy with room.
   */
  #pick(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const w of this.#workers) {
      if (w.inFlight < IN_FLIGHT && (best === undefined || w.inFlight < best.inFlight)) best = w;
    }
    if ((best === undefined || best.inFlight > 0) && this.#workers.length < this.#maxWorkers) {
      return this.#spawn();
    }
    return best;
  }

  #pump(): void {
    while (this.#jobs.next < this.#jobs.length) {
      if (
        !this.#flushing && this.#jobs.length - this.#jobs.next < BATCH_FILES &&
        this.#jobs.pendingBytes < BATCH_BYTES
      ) return;
      const w = this.#pick();
      if (w === undefined) return;
      this.#send(w);
    }
  }

  #send(w: PoolWorker): void {
    const { first, paths, sizes, inline } = this.#jobs.take(BATCH_FILES, BATCH_BYTES);
    const id = this.#batchId++;
    this.#batches.set(id, first);
    w.inFlight++;
    const msg: WorkerRequest = { kind: "batch", id, paths, sizes, inline };
    w.worker.postMessage(msg, [
      paths.buffer as ArrayBuffer,
      sizes.buffer,
      inline.buffer as ArrayBuffer,
    ]);
  }

  /** Hashes a batch on the main thread. */
  #runLocal(hasher: FileHasher, batch: HashBatch & { first: number }): void {
    this.#record(batch.first, hasher.hashBatch(batch), 0);
  }

  /** Stores the outcomes of the batch that started at job `first`. */
  #record(first: number, r: HashBatchResult, bytes: number): void {
    const n = r.contents.length;
    this.#digests.set(r.digests.subarray(0, n * 32), first * 32);
    for (let i = 0; i < n; i++) {
      const err = r.errors[i];
      if (err) {
        this.#errors.set(first + i, {
          digest: null,
          content: null,
          error: new SysError(err.errno, "digest", err.text),
          path: err.path,
        });
        continue;
      }
      const content = r.contents[i];
      if (content) this.#contents.set(first + i, content);
    }
    this.#done += n;
    this.#options.onProgress?.(n, bytes);
  }

  #onReply(w: PoolWorker, msg: BatchReply | ProgressReply): void {
    if (msg.kind === "progress") {
      this.#options.onProgress?.(0, msg.bytes);
      return;
    }
    const first = this.#batches.get(msg.id)!;
    this.#batches.delete(msg.id);
    w.inFlight--;
    this.#record(first, msg, msg.bytes);
    this.#pump();
    if (!this.busy && this.#waiter !== null) {
      this.#waiter.resolve();
      this.#waiter = null;
    }
  }

  #fail(e: unknown): void {
    if (this.#failure === null) this.#failure = e;
    if (this.#waiter !== null) {
      this.#waiter.reject(e);
      this.#waiter = null;
    }
  }
}
