/**
 * Bounds-checked little-endian reads over a byte array; every read names what it reads so that a
 * truncated input gives a typed error instead of `undefined`.
 *
 * @module
 */

/** Thrown when a read would pass the end of the input. */
export class OutOfBoundsError extends RangeError {
  readonly code = "EOUTOFBOUNDS";
  readonly offset: number;
  readonly structure: string;
  constructor(structure: string, offset: number, length: number, size: number) {
    super(
      `Cannot read ${structure}: ${length} bytes at offset ${offset} pass the end (${size} bytes)`,
    );
    this.name = "OutOfBoundsError";
    this.offset = offset;
    this.structure = structure;
  }
}

/** Random-access little-endian reader; respects the input's byteOffset and byteLength. */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly #view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Throws {@link OutOfBoundsError} unless `[at, at + n)` lies inside the input. */
  check(structure: string, at: number, n: number): void {
    if (!(at >= 0 && n >= 0 && at + n <= this.bytes.length && Number.isSafeInteger(at + n))) {
      throw new OutOfBoundsError(structure, at, n, this.bytes.length);
    }
  }

  u8(at: number): number {
    return this.#view.getUint8(at);
  }

  u16(at: number): number {
    return this.#view.getUint16(at, true);
  }

  u32(at: number): number {
    return this.#view.getUint32(at, true);
  }

  u64(at: number): bigint {
    return this.#view.getBigUint64(at, true);
  }

  /** A view (no copy) of `n` bytes at `at`, bounds-checked. */
  slice(structure: string, at: number, n: number): Uint8Array {
    this.check(structure, at, n);
    return this.bytes.subarray(at, at + n);
  }
}
