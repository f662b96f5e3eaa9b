/**
 * fast-check arbitraries for random, valid composefs dumps (accepted by C mkcomposefs 1.0.8 in
 * strict mode): huge sizes, long and binary names, long symlinks, shared and unshared xattrs,
 * hardlinks (chains, to whiteouts, to directories), devices, fifos, sockets, whiteouts,
 * multi-block directories, ids above 2^16 and 2^32, mtimes with and without nanoseconds, inline
 * content of 0-5000 bytes and external files with digests and payloads.
 *
 * The drafts are drawn first; {@link buildDumpLines} then places them in a tree (parent before
 * child, root first), drops duplicate names and resolves hardlink targets, so every draw is
 * valid and shrinking stays valid.
 *
 * @module
 */

import fc from "fast-check";
import { type DumpLine, formatDump } from "./_dump_text.ts";
import { xattrsArb } from "./_arb_xattrs.ts";
import {
  buildDumpLines,
  type Draft,
  type EntryDraft,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  S_IFLNK,
  S_IFREG,
  S_IFSOCK,
} from "./_arb_build.ts";

export { buildDumpLines };
export type { Draft, EntryDraft };

const enc = new TextEncoder();

/** Names: short ASCII, names sorting before `.`, long names, binary bytes (no NUL, no `/`). */
export const nameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9_]{1,12}$/).map((s) => enc.encode(s)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("-", "+", " ", "!", "#", ",", "-x", " a", "...").map((s) =>
      enc.encode(s)
    ),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 200, max: 255 }).chain((n) =>
      fc.stringMatching(new RegExp(`^[a-zA-Z0-9]{${n}}$`))
    ).map((s) => enc.encode(s)),
  },
  {
    weight: 2,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40, min: 1, max: 255 })
      .map((b) => b.map((x) => (x === 0x2f ? 0x2e : x))),
  },
).filter((n) => !isDotName(n));

function isDotName(n: Uint8Array): boolean {
  return (n.length === 1 && n[0] === 0x2e) || (n.length === 2 && n[0] === 0x2e && n[1] === 0x2e);
}

/** Bytes without NUL (payloads and symlink targets are C strings). */
function cBytes(min: number, max: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.stringMatching(new RegExp(`^[ -~]{${min},${Math.min(max, 300)}}$`)).map((s) =>
      enc.encode(s)
    ),
    fc.uint8Array({ minLength: min, maxLength: max, min: 1, max: 255 }),
  );
}

const idArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constantFrom(1, 1000, 65535) },
  { weight: 1, arbitrary: fc.constantFrom(65536, 100000, 4294967295) },
  { weight: 1, arbitrary: fc.nat({ max: 4294967295 }) },
);

const nlinkArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(1, 2) },
  { weight: 1, arbitrary: fc.constantFrom(65535, 65536, 4294967295) },
);

/** Mtimes from a small pool (so compact inodes happen) plus negative and nsec ≥ 10^9 values. */
const mtimeArb: fc.Arbitrary<[bigint, number]> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom<[bigint, number]>([0n, 0], [1700000000n, 0], [1700000000n, 500]),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }),
      fc.nat({ max: 999999999 }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom(-1n, -(1n << 63n), (1n << 63n) - 1n),
      fc.constantFrom(0, 1000000000, 4294967295),
    ),
  },
);

const permArb = fc.constantFrom(0o644, 0o755, 0o600, 0o4755, 0o1777, 0o000, 0o7777);

const commonArb = fc.record({
  perm: permArb,
  uid: idArb,
  gid: idArb,
  nlink: nlinkArb,
  mtime: mtimeArb,
  xattrs: xattrsArb,
});

/** External sizes from 1 to 2^53 (the largest size C accepts), favouring chunk boundaries. */
const externalSizeArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: 1n, max: 8192n }),
  fc.constantFrom(4095n, 4096n, 4097n, (1n << 32n) - 1n, 1n << 32n, (1n << 40n) + 1n),
  fc.constantFrom(
    1n << 43n,
    (1n << 43n) + 1n,
    1n << 52n,
    1000n << 43n,
    (1n << 53n) - 1n,
    1n << 53n,
  ),
  fc.bigInt({ min: 1n, max: 1n << 53n }),
);

const hex64Arb = fc.uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""));

const contentArb = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 100 }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 5000 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 2040, max: 5000 }).chain((n) =>
      fc.uint8Array({ minLength: n, maxLength: n })
    ),
  },
);

/** One entry (no path yet) of any type except hardlinks and bulk directories. */
const entryArb: fc.Arbitrary<EntryDraft> = fc.oneof(
  { weight: 3, arbitrary: commonArb.map((c): EntryDraft => ({ type: "dir", c })) },
  {
    weight: 5,
    arbitrary: fc.record({ c: commonArb, content: contentArb }).map((
      { c, content },
    ): EntryDraft => ({ type: "inline", c, content })),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      c: commonArb,
      size: externalSizeArb,
      digest: fc.option(hex64Arb, { nil: undefined }),
      payload: fc.option(fc.oneof(cBytes(1, 100), cBytes(1, 4095), fc.constant(enc.encode("-"))), {
        nil: undefined,
      }),
    }).map((r): EntryDraft => ({ type: "external", ...r })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ c: commonArb, target: fc.oneof(cBytes(1, 64), cBytes(1, 4095)) }).map((
      r,
    ): EntryDraft => ({ type: "symlink", ...r })),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: commonArb,
      mode: fc.constantFrom(S_IFCHR, S_IFBLK),
      rdev: fc.oneof(fc.nat({ max: 4294967295 }), fc.constantFrom(1, 259, 4294967295)),
      size: fc.oneof({ weight: 5, arbitrary: fc.constant(0n) }, {
        weight: 1,
        arbitrary: fc.constantFrom(5n, 1n << 32n),
      }),
    }).map((r): EntryDraft => ({ type: "device", ...r })),
  },
  {
    weight: 1,
    arbitrary: fc.record({ c: commonArb, mode: fc.constantFrom(S_IFIFO, S_IFSOCK) }).map((
      r,
    ): EntryDraft => ({ type: "device", ...r, rdev: 0, size: 0n })),
  },
  // A whiteout is CHR 0:0; rdev 2^32 also reads as 0 after the C tool's 32-bit truncation.
  {
    weight: 2,
    arbitrary: fc.record({ c: commonArb, rdev: fc.constantFrom(0, 0, 0, 4294967296) }).map((
      r,
    ): EntryDraft => ({ type: "whiteout", ...r })),
  },
);

/** A hardlink: a non-directory mode and a selector for its target. */
const hardlinkArb: fc.Arbitrary<Draft> = fc.record({
  parent: fc.nat(),
  name: nameArb,
  mode: fc.constantFrom(S_IFREG | 0o644, S_IFLNK | 0o777, S_IFCHR | 0o644),
  target: fc.nat(),
  toDirectory: fc.oneof({ weight: 20, arbitrary: fc.constant(false) }, {
    weight: 1,
    arbitrary: fc.constant(true),
  }),
}).map((r): Draft => ({ kind: "hardlink", ...r }));

/** 100-400 entries with long names in one directory (several dirent blocks). */
const bulkArb: fc.Arbitrary<Draft> = fc.record({
  parent: fc.nat(),
  name: nameArb,
  count: fc.integer({ min: 100, max: 400 }),
  nameLength: fc.integer({ min: 8, max: 255 }),
  c: commonArb,
}).map((r): Draft => ({ kind: "bulk", ...r }));

const draftArb: fc.Arbitrary<Draft> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({ parent: fc.nat(), name: nameArb, entry: entryArb }).map((r): Draft => ({
      kind: "entry",
      ...r,
    })),
  },
  { weight: 3, arbitrary: hardlinkArb },
  { weight: 1, arbitrary: bulkArb },
);

/** Options of {@link dumpLinesArb}. */
export interface DumpArbOptions {
  /** Most drafts per dump (default 40; a bulk draft adds up to 400 entries). */
  maxDrafts?: number;
}

/** Random valid dumps as lines (root first, parents before children). */
export function dumpLinesArb(options: DumpArbOptions = {}): fc.Arbitrary<DumpLine[]> {
  return fc.record({
    root: commonArb,
    drafts: fc.array(draftArb, { maxLength: options.maxDrafts ?? 40, size: "max" }),
  }).map(({ root, drafts }) => buildDumpLines(root, drafts));
}

/** Random valid dumps as bytes, in composefs-info's escaping. */
export function dumpArb(options: DumpArbOptions = {}): fc.Arbitrary<Uint8Array> {
  return dumpLinesArb(options).map((lines) => formatDump(lines));
}
