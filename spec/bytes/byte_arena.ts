/**
 * Many small byte strings carved from shared slabs. A `new Uint8Array(n)` costs an ArrayBuffer
 * of its own (hundreds of bytes of bookkeeping for tens of bytes of data); views into one slab
 * cost only the view. The writer makes two such values per external file (metacopy, redirect).
 *
 * @module
 */

/** Allocates zeroed byte strings from slabs of `slabSize` bytes. */
export class ByteArena {
  readonly #slabSize: number;
  #slab: Uint8Array;
  #pos = 0;

  constructor(slabSize = 1 << 20) {
    this.#slabSize = slabSize;
    this.#slab = new Uint8Array(slabSize);
  }

  /** A view holding a copy of `bytes` (names, digests, payloads of a large tree). */
  copy(bytes: Uint8Array): Uint8Array {
    const out = this.alloc(bytes.length);
    out.set(bytes);
    return out;
  }

  /** A zeroed view of `n` bytes; larger than a quarter slab gets its own buffer. */
  alloc(n: number): Uint8Array {
    if (n > this.#slabSize / 4) return new Uint8Array(n);
    if (this.#pos + n > this.#slab.length) {
      this.#slab = new Uint8Array(this.#slabSize);
      this.#pos = 0;
    }
    const view = this.#slab.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return view;
  }
}
