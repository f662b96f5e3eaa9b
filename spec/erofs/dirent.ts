/**
 * Directory entries (`struct erofs_dirent`, erofs_fs.h). A directory block holds N dirents,
 * then the N names back to back (no NULs); `nameoff` of the first dirent is 12·N, so a reader
 * learns N from it.
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import type { ByteWriter } from "../bytes/byte_writer.ts";

/** `struct erofs_dirent`. */
export interface ErofsDirent {
  nid: bigint;
  nameoff: number;
  fileType: number;
  reserved: number;
}

/** `sizeof(struct erofs_dirent)`. */
export const EROFS_DIRENT_SIZE = 12;

/** Field offsets in on-disk order. */
export const EROFS_DIRENT_FIELDS = Object.freeze(
  {
    nid: 0,
    nameoff: 8,
    fileType: 10,
    reserved: 11,
  } as const,
);

/** Writes one dirent at the writer's position. */
export function encodeErofsDirent(w: ByteWriter, d: ErofsDirent): void {
  w.u64(d.nid);
  w.u16(d.nameoff);
  w.u8(d.fileType);
  w.u8(d.reserved);
}

/** Reads one dirent at `at`. */
export function decodeErofsDirent(r: ByteReader, at: number): ErofsDirent {
  r.check("dirent", at, EROFS_DIRENT_SIZE);
  return {
    nid: r.u64(at),
    nameoff: r.u16(at + 8),
    fileType: r.u8(at + 10),
    reserved: r.u8(at + 11),
  };
}
