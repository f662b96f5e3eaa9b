/**
 * Reading one directory block (a full block or the inline tail): N dirents, then their names.
 * Checked as the kernel checks it: `nameoff` of the first dirent is 12·N and inside the block,
 * each name starts inside the block and no earlier than the previous one ends.
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import { EROFS_DIRENT_FIELDS, EROFS_DIRENT_SIZE } from "./dirent.ts";
import { ErofsFormatError } from "./errors.ts";

/** One directory entry as stored. */
export interface RawDirent {
  /**
   * The dirent's `nid` (a u64). Exact up to 2^53; anything larger is past the end of any image
   * and reads as a larger, rounded number.
   */
  nid: number;
  /**
   * The name: up to the next entry's `nameoff`, or for the last entry of a block up to the
   * first NUL or the block's end (a view; may hold NUL bytes).
   */
  name: Uint8Array;
  /** `file_type` (`EROFS_FT_*`); C's reader ignores it. */
  fileType: number;
  /** Offset of the dirent in the image. */
  offset: number;
}

const U32 = 0x1_0000_0000;

/**
 * Appends the entries of the directory block of `size` bytes at `at` to `out`.
 *
 * @throws {ErofsFormatError} `EINVAL` for a block that is too small, a first `nameoff` that is
 *   not a multiple of 12 (C's own check) or that passes the block, or names out of order or
 *   out of the block.
 */
export function readDirBlock(
  r: ByteReader,
  at: number,
  size: number,
  nid: number,
  out: RawDirent[],
): void {
  const bad = (reason: string, offset: number): never => {
    throw new ErofsFormatError("EINVAL", reason, { offset, structure: "dirent", nid });
  };
  if (size < EROFS_DIRENT_SIZE) bad(`Directory block of ${size} bytes`, at);
  const first = r.u16(at + EROFS_DIRENT_FIELDS.nameoff);
  if (first % EROFS_DIRENT_SIZE !== 0) bad(`First nameoff ${first} is not a multiple of 12`, at);
  if (first === 0 || first > size) bad(`First nameoff ${first} in a ${size}-byte block`, at);
  const n = first / EROFS_DIRENT_SIZE;
  const bytes = r.bytes;
  let nameoff = first;
  for (let i = 0; i < n; i++) {
    const d = at + i * EROFS_DIRENT_SIZE;
    let end: number;
    if (i + 1 < n) {
      end = r.u16(d + EROFS_DIRENT_SIZE + EROFS_DIRENT_FIELDS.nameoff);
      if (end < nameoff || end > size) {
        bad(`nameoff ${end} after ${nameoff} in a ${size}-byte block`, d + EROFS_DIRENT_SIZE);
      }
    } else {
      // The last name ends at the first NUL or at the end of the block.
      const z = bytes.subarray(at + nameoff, at + size).indexOf(0);
      end = z < 0 ? size : nameoff + z;
    }
    const lo = r.u32(d + EROFS_DIRENT_FIELDS.nid);
    const hi = r.u32(d + EROFS_DIRENT_FIELDS.nid + 4);
    out.push({
      nid: hi * U32 + lo,
      name: bytes.subarray(at + nameoff, at + end),
      fileType: r.u8(d + EROFS_DIRENT_FIELDS.fileType),
      offset: d,
    });
    nameoff = end;
  }
}
