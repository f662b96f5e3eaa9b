/**
 * The digest pool's queue of files waiting to be sent to a thread: the paths back to back,
 * NUL-terminated, in one buffer, and per job id its size and path length in typed arrays. No
 * object per file: a walk of 100,000 files would otherwise leave 100,000 path copies and job
 * objects behind, long-lived enough to reach the old generation before they die.
 *
 * @module
 */
import { LCFS_RECOMMENDED_INLINE_CONTENT_MAX } from "../../spec/erofs/constants.ts";
import type { HashBatch } from "./file_hasher.ts";

/** A FIFO of hash jobs with ids 0, 1, 2, … in submission order. */
export class JobQueue {
  /** Unsent paths from {@link #head} to {@link #tail}. */
  #paths = new Uint8Array(64 * 1024);
  #head = 0;
  #tail = 0;
  #sizes = new Float64Array(1024);
  #pathLengths = new Uint32Array(1024);
  #length = 0;
  #next = 0;
  #pendingBytes = 0;

  /** Number of jobs submitted so far. */
  get length(): number {
    return this.#length;
  }

  /** Id of the first job not yet taken. */
  get next(): number {
    return this.#next;
  }

  /** Sum of the sizes of the jobs not yet taken. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Queues the file at `path` (copied) of `size` bytes; returns its job id. */
  push(path: Uint8Array, size: number): number {
    const id = this.#length++;
    if (id === this.#sizes.length) {
      this.#sizes = grow(this.#sizes, new Float64Array(id * 2));
      this.#pathLengths = grow(this.#pathLengths, new Uint32Array(id * 2));
    }
    this.#sizes[id] = size;
    this.#pathLengths[id] = path.length;
    const need = path.length + 1;
    if (this.#tail + need > this.#paths.length) this.#makeRoom(need);
    this.#paths.set(path, this.#tail);
    this.#paths[this.#tail + path.length] = 0;
    this.#tail += need;
    this.#pendingBytes += size;
    return id;
  }

  /** Takes the next jobs, up to `maxFiles` files or until they hold `maxBytes` bytes. */
  take(maxFiles: number, maxBytes: number): HashBatch & { first: number } {
    const first = this.#next;
    let end = first;
    let bytes = 0;
    let pathBytes = 0;
    while (end < this.#length && end - first < maxFiles && bytes < maxBytes) {
      bytes += this.#sizes[end]!;
      pathBytes += this.#pathLengths[end++]! + 1;
    }
    const paths = this.#paths.slice(this.#head, this.#head + pathBytes);
    const sizes = this.#sizes.slice(first, end);
    const inline = new Uint8Array(end - first);
    for (let i = 0; i < sizes.length; i++) {
      inline[i] = sizes[i]! <= LCFS_RECOMMENDED_INLINE_CONTENT_MAX ? 1 : 0;
    }
    this.#head += pathBytes;
    if (this.#head === this.#tail) this.#head = this.#tail = 0;
    this.#next = end;
    this.#pendingBytes -= bytes;
    return { first, paths, sizes, inline };
  }

  /** Drops everything. */
  clear(): void {
    this.#paths = new Uint8Array(0);
    this.#head =
      this.#tail =
      this.#length =
      this.#next =
      this.#pendingBytes =
        0;
  }

  /** Moves the unsent paths to the front, growing the buffer if they still do not fit. */
  #makeRoom(need: number): void {
    const used = this.#tail - this.#head;
    if (used + need > this.#paths.length / 2) {
      const buf = new Uint8Array(Math.max(this.#paths.length * 2, used + need));
      buf.set(this.#paths.subarray(this.#head, this.#tail));
      this.#paths = buf;
    } else {
      this.#paths.copyWithin(0, this.#head, this.#tail);
    }
    this.#head = 0;
    this.#tail = used;
  }
}

function grow<T extends Float64Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
