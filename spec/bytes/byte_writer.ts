/**
 * A little-endian writer over one preallocated buffer: the image layout pass knows the exact
 * size, so the writer never grows.
 *
 * @module
 */

/** Sequential little-endian writer with explicit position; one DataView per buffer. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  u8(v: number): void {
    this.bytes[this.pos++] = v;
  }

  u16(v: number): void {
    this.#view.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  u32(v: number): void {
    this.#view.setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  u64(v: bigint): void {
    this.#view.setBigUint64(this.pos, BigInt.asUintN(64, v), true);
    this.pos += 8;
  }

  /** Writes a u64 known to fit in a JS number (offsets, nids). */
  u64n(v: number): void {
    this.#view.setUint32(this.pos, v >>> 0, true);
    this.#view.setUint32(this.pos + 4, Math.floor(v / 0x1_0000_0000), true);
    this.pos += 8;
  }

  raw(b: Uint8Array): void {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }

  /** Copies `b[from..]` byte by byte: cheaper than a subarray view for short keys. */
  rawFrom(b: Uint8Array, from: number): void {
    const out = this.bytes;
    let p = this.pos;
    for (let i = from; i < b.length; i++) out[p++] = b[i]!;
    this.pos = p;
  }

  /** Advances over `n` bytes, which stay zero (the buffer starts zeroed). */
  zeros(n: number): void {
    this.pos += n;
  }

  /** Fills `n` bytes with `value`. */
  fill(value: number, n: number): void {
    this.bytes.fill(value, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Zero-pads up to the next multiple of `align`. */
  alignTo(align: number): void {
    const r = this.pos % align;
    if (r !== 0) this.pos += align - r;
  }
}
