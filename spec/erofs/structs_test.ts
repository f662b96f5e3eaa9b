import assert from "node:assert/strict";
import { ByteReader } from "../bytes/byte_reader.ts";
import { ByteWriter } from "../bytes/byte_writer.ts";
import {
  decodeErofsSuperBlock,
  encodeErofsSuperBlock,
  EROFS_SUPER_BLOCK_FIELDS,
  EROFS_SUPER_BLOCK_SIZE,
  type ErofsSuperBlock,
} from "./superblock.ts";
import {
  decodeErofsInodeCompact,
  decodeErofsInodeExtended,
  encodeErofsInodeCompact,
  encodeErofsInodeExtended,
  EROFS_INODE_COMPACT_FIELDS,
  EROFS_INODE_COMPACT_SIZE,
  EROFS_INODE_EXTENDED_FIELDS,
  EROFS_INODE_EXTENDED_SIZE,
} from "./inode.ts";
import {
  decodeLcfsErofsHeader,
  encodeLcfsErofsHeader,
  LCFS_EROFS_HEADER_FIELDS,
  LCFS_EROFS_HEADER_SIZE,
} from "./header.ts";
import {
  decodeErofsDirent,
  encodeErofsDirent,
  EROFS_DIRENT_FIELDS,
  EROFS_DIRENT_SIZE,
} from "./dirent.ts";
import {
  decodeErofsXattrEntry,
  decodeErofsXattrIbodyHeader,
  encodeErofsXattrEntry,
  encodeErofsXattrIbodyHeader,
  EROFS_XATTR_ENTRY_FIELDS,
  EROFS_XATTR_ENTRY_SIZE,
  EROFS_XATTR_IBODY_HEADER_FIELDS,
  EROFS_XATTR_IBODY_HEADER_SIZE,
} from "./xattr.ts";
import { xxh32 } from "./xattr_filter.ts";

/** Offsets increase and the last field ends at the size (our BUILD_BUG_ON). */
function assertLayout(fields: Record<string, number>, size: number, lastWidth: number) {
  const offs = Object.values(fields);
  for (let i = 1; i < offs.length; i++) assert.ok(offs[i]! > offs[i - 1]!);
  assert.equal(offs[offs.length - 1]! + lastWidth, size);
}

function roundTrip<T>(
  size: number,
  enc: (w: ByteWriter, x: T) => void,
  dec: (r: ByteReader, at: number) => T,
  x: T,
) {
  const w = new ByteWriter(size + 8);
  w.zeros(8);
  enc(w, x);
  assert.equal(w.pos, size + 8);
  assert.deepEqual(dec(new ByteReader(w.bytes), 8), x);
}

Deno.test("struct field tables match the kernel sizes", () => {
  assertLayout(EROFS_SUPER_BLOCK_FIELDS, EROFS_SUPER_BLOCK_SIZE, 23);
  assertLayout(EROFS_INODE_COMPACT_FIELDS, EROFS_INODE_COMPACT_SIZE, 4);
  assertLayout(EROFS_INODE_EXTENDED_FIELDS, EROFS_INODE_EXTENDED_SIZE, 16);
  assertLayout(LCFS_EROFS_HEADER_FIELDS, LCFS_EROFS_HEADER_SIZE, 16);
  assertLayout(EROFS_DIRENT_FIELDS, EROFS_DIRENT_SIZE, 1);
  assertLayout(EROFS_XATTR_ENTRY_FIELDS, EROFS_XATTR_ENTRY_SIZE, 2);
  assertLayout(EROFS_XATTR_IBODY_HEADER_FIELDS, EROFS_XATTR_IBODY_HEADER_SIZE, 7);
});

Deno.test("decodeErofsSuperBlock() inverts encodeErofsSuperBlock()", () => {
  const sb: ErofsSuperBlock = {
    magic: 0xe0f5e1e2,
    checksum: 1,
    featureCompat: 6,
    blkszbits: 12,
    sbExtslots: 2,
    rootNid: 36,
    inos: 2n ** 63n + 5n,
    buildTime: 2n ** 64n - 1n,
    buildTimeNsec: 999,
    blocks: 0xffffffff,
    metaBlkaddr: 3,
    xattrBlkaddr: 2,
    uuid: new Uint8Array(16).fill(7),
    volumeName: new Uint8Array(16).fill(9),
    featureIncompat: 4,
    u1: 5,
    extraDevices: 6,
    devtSlotoff: 7,
    dirblkbits: 8,
    xattrPrefixCount: 9,
    xattrPrefixStart: 10,
    packedNid: 11n,
    xattrFilterReserved: 12,
  };
  roundTrip(EROFS_SUPER_BLOCK_SIZE, encodeErofsSuperBlock, decodeErofsSuperBlock, sb);
});

Deno.test("inode, header, dirent and xattr codecs round-trip", () => {
  roundTrip(EROFS_INODE_COMPACT_SIZE, encodeErofsInodeCompact, decodeErofsInodeCompact, {
    iFormat: 5,
    iXattrIcount: 6,
    iMode: 0o100644,
    iNlink: 65535,
    iSize: 0xfffffffe,
    iReserved: 0,
    iU: 3,
    iIno: 17,
    iUid: 1,
    iGid: 2,
    iReserved2: 0,
  });
  roundTrip(EROFS_INODE_EXTENDED_SIZE, encodeErofsInodeExtended, decodeErofsInodeExtended, {
    iFormat: 9,
    iXattrIcount: 1,
    iMode: 0o20644,
    iReserved: 0,
    iSize: 2n ** 53n + 1n,
    iU: 0xffffffff,
    iIno: 3,
    iUid: 0xffffffff,
    iGid: 70000,
    iMtime: 2n ** 64n - 1n,
    iMtimeNsec: 4_000_000_000,
    iNlink: 100000,
  });
  roundTrip(LCFS_EROFS_HEADER_SIZE, encodeLcfsErofsHeader, decodeLcfsErofsHeader, {
    magic: 0xd078629a,
    version: 1,
    flags: 1,
    composefsVersion: 1,
  });
  roundTrip(EROFS_DIRENT_SIZE, encodeErofsDirent, decodeErofsDirent, {
    nid: 2n ** 40n,
    nameoff: 3096,
    fileType: 2,
    reserved: 0,
  });
  roundTrip(EROFS_XATTR_ENTRY_SIZE, encodeErofsXattrEntry, decodeErofsXattrEntry, {
    eNameLen: 14,
    eNameIndex: 4,
    eValueSize: 65535,
  });
  roundTrip(
    EROFS_XATTR_IBODY_HEADER_SIZE,
    encodeErofsXattrIbodyHeader,
    decodeErofsXattrIbodyHeader,
    { hNameFilter: 0xffffefff, hSharedCount: 128 },
  );
});

Deno.test("xxh32() matches the published test vectors", () => {
  const enc = new TextEncoder();
  assert.equal(xxh32(new Uint8Array(0), 0), 0x02cc5d05);
  assert.equal(xxh32(enc.encode("a"), 0), 0x550d7456);
  assert.equal(xxh32(enc.encode("abc"), 0), 0x32d153ff);
  assert.equal(
    xxh32(enc.encode("Nobody inspects the spammish repetition"), 0),
    0xe2293b2f,
  );
});
