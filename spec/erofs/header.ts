/**
 * The composefs header (`struct lcfs_erofs_header_s`, lcfs-erofs.h) at offset 0.
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import type { ByteWriter } from "../bytes/byte_writer.ts";

/** `struct lcfs_erofs_header_s`. */
export interface LcfsErofsHeader {
  /** `magic`: `LCFS_EROFS_MAGIC` (0xd078629a) in a composefs image. */
  magic: number;
  /** `version`: the header's own version, `LCFS_EROFS_VERSION` (1). */
  version: number;
  /** `flags`: `LCFS_EROFS_FLAGS_HAS_ACL` when some inode has a POSIX ACL xattr, else 0. */
  flags: number;
  /** `composefs_version`: the image format version chosen from `--min-version`/`--max-version`. */
  composefsVersion: number;
}

/** Size of the header; `unused[4]` fills it to 32 bytes. */
export const LCFS_EROFS_HEADER_SIZE = 32;

/** Field offsets in on-disk order. */
export const LCFS_EROFS_HEADER_FIELDS = Object.freeze(
  {
    magic: 0,
    version: 4,
    flags: 8,
    composefsVersion: 12,
    unused: 16,
  } as const,
);

/** Writes the header at the writer's position. */
export function encodeLcfsErofsHeader(w: ByteWriter, h: LcfsErofsHeader): void {
  w.u32(h.magic);
  w.u32(h.version);
  w.u32(h.flags);
  w.u32(h.composefsVersion);
  w.zeros(16);
}

/** Reads the header at `at`. */
export function decodeLcfsErofsHeader(r: ByteReader, at: number): LcfsErofsHeader {
  r.check("composefs header", at, LCFS_EROFS_HEADER_SIZE);
  return {
    magic: r.u32(at),
    version: r.u32(at + 4),
    flags: r.u32(at + 8),
    composefsVersion: r.u32(at + 12),
  };
}
