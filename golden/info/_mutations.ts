/**
 * Malformed images for the composefs-info golden errors: each one is a golden case's image with
 * a few bytes changed where C 1.0.8's reader has defined behaviour (it fails with an errno; no
 * out-of-bounds read). `make.ts` records what C prints for each; the golden test checks ours.
 *
 * @module
 */

/** One malformed image: which case it starts from and how its bytes change. */
export interface InfoMutation {
  name: string;
  /** A golden case name (`golden/NAME.dump`). */
  base: string;
  apply(image: Uint8Array): Uint8Array;
}

function setU16(b: Uint8Array, at: number, v: number): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint16(at, v, true);
  return out;
}

function setU32(b: Uint8Array, at: number, v: number): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setUint32(at, v, true);
  return out;
}

/** Offsets in the worked example image (composefs-format.md §3.14): root inode at 1152. */
const ROOT = 1152;
const SB = 1024;

/** The list; names are stable (they key `errors.txt`). */
export const INFO_MUTATIONS: readonly InfoMutation[] = [
  { name: "truncated_to_100", base: "worked_example", apply: (b) => b.slice(0, 100) },
  { name: "truncated_to_4095", base: "worked_example", apply: (b) => b.slice(0, 4095) },
  { name: "bad_header_magic", base: "worked_example", apply: (b) => setU32(b, 0, 0x12345678) },
  { name: "header_version_2", base: "worked_example", apply: (b) => setU32(b, 4, 2) },
  { name: "bad_erofs_magic", base: "worked_example", apply: (b) => setU32(b, SB, 0) },
  { name: "meta_blkaddr_past_end", base: "worked_example", apply: (b) => setU32(b, SB + 0x28, 99) },
  {
    name: "xattr_blkaddr_past_end",
    base: "worked_example",
    apply: (b) => setU32(b, SB + 0x2c, 99),
  },
  // In empty_root nid 38 is the first 00-ff stub: a 0:0 chardev, which C reports as ENOTSUP.
  { name: "root_is_whiteout_stub", base: "empty_root", apply: (b) => setU16(b, SB + 0x0e, 38) },
  { name: "root_nid_past_end", base: "worked_example", apply: (b) => setU16(b, SB + 0x0e, 0xffff) },
  // The root's inline xattr entry at 1184 + 12: name index 4 → 9.
  {
    name: "xattr_unknown_index",
    base: "empty_root",
    apply: (b) => setU8(b, ROOT + 32 + 12 + 1, 9),
  },
  // Its name length 14 → 0 and index → 0: an empty key.
  {
    name: "xattr_empty_key",
    base: "empty_root",
    apply: (b) => setU8(setU8(b, ROOT + 32 + 12, 0), ROOT + 32 + 13, 0),
  },
  // The root's first dirent block is block 3: its first nameoff not a multiple of 12.
  { name: "dirent_nameoff_13", base: "empty_root", apply: (b) => setU16(b, 3 * 4096 + 8, 13) },
];

function setU8(b: Uint8Array, at: number, v: number): Uint8Array {
  const out = b.slice();
  out[at] = v;
  return out;
}
