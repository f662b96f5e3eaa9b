/**
 * A little-endian writer over one buffer. Without a sink the buffer is the whole output (the
 * layout pass knows the exact size, so it never grows). With a sink the buffer is a window:
 * when it fills, its bytes go to the sink and it is reused, so an image can be streamed to a
 * file and a hasher without ever being whole in memory.
 *
 * @module
 */

/** Receives each filled window; it must use the bytes before returning (they are reused). */
export type ByteSink = (chunk: Uint8Array) => void;

/** Sequential little-endian writer with explicit position; one DataView per buffer. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  readonly #sink: ByteSink | undefined;
  /** Bytes already handed to the sink. */
  #flushed = 0;
  /** Position in {@link bytes}; equals {@link offset} when there is no sink. */
  pos = 0;

  constructor(size: number, sink?: ByteSink) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.#sink = sink;
  }

  /** Bytes written so far, flushed ones included. */
  get offset(): number {
    return this.#flushed + this.pos;
  }

  /** Hands the window to the sink and starts a new, zeroed one. */
  flush(): void {
    if (this.#sink === undefined || this.pos === 0) return;
    this.#sink(this.bytes.subarray(0, this.pos));
    this.#flushed += this.pos;
    // Zeroed, so that skipped bytes (zeros(), alignTo()) read as zero in every window.
    this.bytes.fill(0, 0, this.pos);
    this.pos = 0;
  }

  /** Makes room for `n` more bytes (n at most the window size). */
  #room(n: number): void {
    if (this.pos + n > this.bytes.length) this.flush();
  }

  u8(v: number): void {
    this.#room(1);
    this.bytes[this.pos++] = v;
  }

  u16(v: number): void {
    this.#room(2);
    this.#view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.#room(4);
    this.#view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  u64(v: bigint): void {
    this.#room(8);
    this.#view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
  }

  /** Writes a u64 known to fit in a JS number (offsets, nids). */
  u64n(v: number): void {
    this.#room(8);
    this.#view.setUint32(this.pos, v >>> 0, true);
    this.#view.setUint32(this.pos + 4, Math.floor(v / 0x1_0000_0000), true);
    this.pos += 8;
  }

  raw(b: Uint8Array): void {
    // Short strings (names, keys) copy faster in a loop than through TypedArray#set.
    if (b.length <= 32 && this.pos + b.length <= this.bytes.length) {
      const out = this.bytes;
      let p = this.pos;
      for (let i = 0; i < b.length; i++) out[p++] = b[i]!;
      this.pos = p;
      return;
    }
    let from = 0;
    while (b.length - from > this.bytes.length - this.pos && this.#sink !== undefined) {
      const n = this.bytes.length - this.pos;
      this.bytes.set(b.subarray(from, from + n), this.pos);
      this.pos += n;
      from += n;
      this.flush();
    }
    this.bytes.set(from === 0 ? b : b.subarray(from), this.pos);
    this.pos += b.length - from;
  }

  /** Copies `b[from..]` byte by byte: cheaper than a subarray view for short keys. */
  rawFrom(b: Uint8Array, from: number): void {
    this.#room(b.length - from);
    const out = this.bytes;
    let p = this.pos;
    for (let i = from; i < b.length; i++) out[p++] = b[i]!;
    this.pos = p;
  }

  /** Advances over `n` bytes, which stay zero (the buffer starts zeroed). */
  zeros(n: number): void {
    while (this.pos + n > this.bytes.length && this.#sink !== undefined) {
      n -= this.bytes.length - this.pos;
      this.pos = this.bytes.length;
      this.flush();
    }
    this.pos += n;
  }

  /** Fills `n` bytes with `value`. */
  fill(value: number, n: number): void {
    while (this.pos + n > this.bytes.length && this.#sink !== undefined) {
      const k = this.bytes.length - this.pos;
      this.bytes.fill(value, this.pos, this.bytes.length);
      this.pos = this.bytes.length;
      n -= k;
      this.flush();
    }
    this.bytes.fill(value, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Zero-pads up to the next multiple of `align` (of the whole output). */
  alignTo(align: number): void {
    const r = this.offset % align;
    if (r !== 0) this.zeros(align - r);
  }
}
