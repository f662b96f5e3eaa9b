/**
 * The EROFS superblock (`struct erofs_super_block`, erofs_fs.h), 128 bytes at
 * `EROFS_SUPER_OFFSET`. Fields composefs never sets (compression, devices, long prefixes) are
 * decoded so a reader can reject images that use them.
 *
 * @module
 */
import type { ByteReader } from "../bytes/byte_reader.ts";
import type { ByteWriter } from "../bytes/byte_writer.ts";

/** `struct erofs_super_block`. */
export interface ErofsSuperBlock {
  /** `magic`: `EROFS_SUPER_MAGIC_V1` (0xe0f5e1e2). */
  magic: number;
  /** `checksum`: crc32c of the superblock when `EROFS_FEATURE_COMPAT_SB_CHKSUM`; 0 here. */
  checksum: number;
  /** `feature_compat`: `EROFS_FEATURE_COMPAT_*` bits; composefs sets MTIME and XATTR_FILTER. */
  featureCompat: number;
  /** `blkszbits`: log2 of the block size (12 for 4096). */
  blkszbits: number;
  /** `sb_extslots`: extra 16-byte superblock slots; 0 in composefs images. */
  sbExtslots: number;
  /** `root_nid`: nid of the root directory (a u16). */
  rootNid: number;
  /** `inos`: the number of inodes. */
  inos: bigint;
  /** `build_time`: seconds (raw u64) used as the mtime of every compact inode. */
  buildTime: bigint;
  /** `build_time_nsec`: nanoseconds of `build_time`. */
  buildTimeNsec: number;
  /** `blocks`: image size in blocks (for statfs). */
  blocks: number;
  /** `meta_blkaddr`: first block of the inode area (nid 0); 0 in composefs images. */
  metaBlkaddr: number;
  /** `xattr_blkaddr`: first block of the shared xattr area. */
  xattrBlkaddr: number;
  /** `uuid[16]`: volume uuid; all zero in composefs images. */
  uuid: Uint8Array;
  /** `volume_name[16]`: volume name; all zero in composefs images. */
  volumeName: Uint8Array;
  /** `feature_incompat`: `EROFS_FEATURE_INCOMPAT_*` bits; 0 in C 1.0.8 images. */
  featureIncompat: number;
  /** `u1`: `available_compr_algs` / `lz4_max_distance` (compression); 0 in composefs images. */
  u1: number;
  /** `extra_devices`: devices besides the primary one; 0 in composefs images. */
  extraDevices: number;
  /** `devt_slotoff`: start of the device table in 128-byte slots; 0 in composefs images. */
  devtSlotoff: number;
  /** `dirblkbits`: log2 of directory block size over block size; 0 in composefs images. */
  dirblkbits: number;
  /** `xattr_prefix_count`: number of long xattr name prefixes; 0 in composefs images. */
  xattrPrefixCount: number;
  /** `xattr_prefix_start`: where the long xattr name prefixes start; 0 in composefs images. */
  xattrPrefixStart: number;
  /** `packed_nid`: nid of the packed inode (fragments); 0 in composefs images. */
  packedNid: bigint;
  /** `xattr_filter_reserved`: reserved for the xattr name filter; 0. */
  xattrFilterReserved: number;
}

/** `sizeof(struct erofs_super_block)`. */
export const EROFS_SUPER_BLOCK_SIZE = 128;

/** Field offsets in on-disk order. */
export const EROFS_SUPER_BLOCK_FIELDS = Object.freeze(
  {
    magic: 0x00,
    checksum: 0x04,
    featureCompat: 0x08,
    blkszbits: 0x0c,
    sbExtslots: 0x0d,
    rootNid: 0x0e,
    inos: 0x10,
    buildTime: 0x18,
    buildTimeNsec: 0x20,
    blocks: 0x24,
    metaBlkaddr: 0x28,
    xattrBlkaddr: 0x2c,
    uuid: 0x30,
    volumeName: 0x40,
    featureIncompat: 0x50,
    u1: 0x54,
    extraDevices: 0x56,
    devtSlotoff: 0x58,
    dirblkbits: 0x5a,
    xattrPrefixCount: 0x5b,
    xattrPrefixStart: 0x5c,
    packedNid: 0x60,
    xattrFilterReserved: 0x68,
    reserved2: 0x69,
  } as const,
);

/** Writes the superblock at the writer's position. */
export function encodeErofsSuperBlock(w: ByteWriter, sb: ErofsSuperBlock): void {
  w.u32(sb.magic);
  w.u32(sb.checksum);
  w.u32(sb.featureCompat);
  w.u8(sb.blkszbits);
  w.u8(sb.sbExtslots);
  w.u16(sb.rootNid);
  w.u64(sb.inos);
  w.u64(sb.buildTime);
  w.u32(sb.buildTimeNsec);
  w.u32(sb.blocks);
  w.u32(sb.metaBlkaddr);
  w.u32(sb.xattrBlkaddr);
  w.raw(sb.uuid.subarray(0, 16));
  w.zeros(16 - Math.min(16, sb.uuid.length));
  w.raw(sb.volumeName.subarray(0, 16));
  w.zeros(16 - Math.min(16, sb.volumeName.length));
  w.u32(sb.featureIncompat);
  w.u16(sb.u1);
  w.u16(sb.extraDevices);
  w.u16(sb.devtSlotoff);
  w.u8(sb.dirblkbits);
  w.u8(sb.xattrPrefixCount);
  w.u32(sb.xattrPrefixStart);
  w.u64(sb.packedNid);
  w.u8(sb.xattrFilterReserved);
  w.zeros(23);
}

/** Reads the superblock at `at` (normally `EROFS_SUPER_OFFSET`). */
export function decodeErofsSuperBlock(r: ByteReader, at: number): ErofsSuperBlock {
  r.check("superblock", at, EROFS_SUPER_BLOCK_SIZE);
  const f = EROFS_SUPER_BLOCK_FIELDS;
  return {
    magic: r.u32(at + f.magic),
    checksum: r.u32(at + f.checksum),
    featureCompat: r.u32(at + f.featureCompat),
    blkszbits: r.u8(at + f.blkszbits),
    sbExtslots: r.u8(at + f.sbExtslots),
    rootNid: r.u16(at + f.rootNid),
    inos: r.u64(at + f.inos),
    buildTime: r.u64(at + f.buildTime),
    buildTimeNsec: r.u32(at + f.buildTimeNsec),
    blocks: r.u32(at + f.blocks),
    metaBlkaddr: r.u32(at + f.metaBlkaddr),
    xattrBlkaddr: r.u32(at + f.xattrBlkaddr),
    uuid: r.bytes.slice(at + f.uuid, at + f.uuid + 16),
    volumeName: r.bytes.slice(at + f.volumeName, at + f.volumeName + 16),
    featureIncompat: r.u32(at + f.featureIncompat),
    u1: r.u16(at + f.u1),
    extraDevices: r.u16(at + f.extraDevices),
    devtSlotoff: r.u16(at + f.devtSlotoff),
    dirblkbits: r.u8(at + f.dirblkbits),
    xattrPrefixCount: r.u8(at + f.xattrPrefixCount),
    xattrPrefixStart: r.u32(at + f.xattrPrefixStart),
    packedNid: r.u64(at + f.packedNid),
    xattrFilterReserved: r.u8(at + f.xattrFilterReserved),
  };
}
