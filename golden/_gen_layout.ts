/**
 * Generated golden cases about layout: inline content, symlinks, names, directory blocks and
 * tail placement.
 *
 * @module
 */

import { type DumpLine, formatDump } from "../tests/_dump_text.ts";
import {
  D1,
  DIR,
  dirWithDirentBytes,
  file,
  inline,
  LNK,
  paddedName,
  prng,
  randomBytes,
  root,
  text,
} from "./_gen_util.ts";
import type { GeneratedCase } from "./_generated.ts";

export function inlineCases(): GeneratedCase[] {
  return [1, 64, 2048, 2049, 4095, 4096, 4097, 5000].map((n) => ({
    name: `inline_${n}`,
    dump: () => formatDump([root, inline("/f", randomBytes(n, n))]),
  }));
}

export function symlinkCases(): GeneratedCase[] {
  return [1, 2000, 4000, 4095].map((n) => ({
    name: `symlink_${n}`,
    dump: () =>
      formatDump([root, { path: "/l", size: n, mode: LNK, payload: text(n, n) }, file("/z")]),
  }));
}

export function nameCases(): GeneratedCase[] {
  const binaryNames: Uint8Array[] = [];
  for (let b = 1; b < 256; b++) if (b !== 0x2f && b !== 0x2e) binaryNames.push(Uint8Array.of(b));
  // Every byte 0x01..0xff except '/', in 15-byte names (dots allowed inside longer names).
  const all: number[] = [];
  for (let b = 1; b < 256; b++) if (b !== 0x2f) all.push(b);
  for (let i = 0; i < all.length; i += 15) binaryNames.push(Uint8Array.from(all.slice(i, i + 15)));
  binaryNames.push(Uint8Array.of(0x2e, 0x2e, 0x2e), Uint8Array.of(0x2e, 0x01));
  const enc = new TextEncoder();
  const under = (dir: string, name: Uint8Array) => {
    const p = new Uint8Array(dir.length + 1 + name.length);
    p.set(enc.encode(dir + "/"));
    p.set(name, dir.length + 1);
    return p;
  };
  return [
    {
      name: "name_255",
      dump: () =>
        formatDump([
          root,
          file("/" + text(255, 1)),
          { path: "/" + "d".repeat(255), size: 4096, mode: DIR },
          file("/" + "d".repeat(255) + "/" + text(255, 2), { size: 3, content: "abc" }),
        ]),
    },
    {
      name: "names_binary",
      dump: () =>
        formatDump([
          root,
          { path: "/b", size: 4096, mode: DIR },
          ...binaryNames.map((n) => file(under("/b", n))),
        ]),
    },
    {
      name: "name_256",
      fail: true,
      dump: () => formatDump([root, file("/" + text(256, 1))]),
    },
  ];
}

export function dirCases(): GeneratedCase[] {
  const many = (dir: string, n: number, len: number, seed: number) =>
    Array.from(
      { length: n },
      (_, i) => file(`${dir}/${paddedName(i, 4)}${text(len - 4, seed + i)}`),
    );
  return [
    { name: "dir_tail_2048", dump: () => formatDump(dirWithDirentBytes(2048)) },
    { name: "dir_tail_2049", dump: () => formatDump(dirWithDirentBytes(2049)) },
    { name: "dir_tail_2000", dump: () => formatDump(dirWithDirentBytes(2000)) },
    { name: "dir_block_exact_4096", dump: () => formatDump(dirWithDirentBytes(4096)) },
    {
      name: "dir_block_4096_plus_tail",
      dump: () => formatDump([...dirWithDirentBytes(4096), file("/d/zzz_after_the_block")]),
    },
    {
      name: "dir_multiblock",
      dump: () =>
        formatDump([root, { path: "/d", size: 4096, mode: DIR }, ...many("/d", 300, 100, 7)]),
    },
    {
      name: "dir_multiblock_root",
      dump: () => formatDump([root, ...many("", 400, 60, 11)]),
    },
    {
      name: "dirs_bfs_order",
      dump: () =>
        formatDump([
          root,
          { path: "/a", size: 4096, mode: DIR },
          ...many("/a", 120, 80, 3),
          { path: "/a/x", size: 4096, mode: DIR },
          { path: "/a/x/y", size: 4096, mode: DIR },
          inline("/a/x/y/deep", randomBytes(3000, 5)),
          inline("/a/x/f", randomBytes(2049, 6)),
          inline("/b", randomBytes(4096, 7)),
          { path: "/c", size: 4096, mode: DIR },
          ...many("/c", 40, 200, 9),
          { path: "/c/l", size: 3000, mode: LNK, payload: text(3000, 4) },
          inline("/z", randomBytes(2500, 8)),
        ]),
    },
  ];
}

export function tailPlacementCases(): GeneratedCase[] {
  return [
    {
      name: "inline_tails_crossing",
      dump: () => {
        const r = prng(42);
        const lines = [root];
        for (let i = 0; i < 24; i++) {
          lines.push(
            inline(
              `/f${String(i).padStart(2, "0")}`,
              randomBytes(1000 + Math.floor(r() * 1049), i),
            ),
          );
        }
        return formatDump(lines);
      },
    },
    {
      name: "symlinks_crossing",
      dump: () =>
        formatDump([
          root,
          ...Array.from({ length: 10 }, (_, i): DumpLine => ({
            path: `/l${i}`,
            size: 1500 + i * 37,
            mode: LNK,
            payload: text(1500 + i * 37, i),
          })),
        ]),
    },
    {
      name: "symlink_4000_with_xattrs",
      dump: () =>
        formatDump([
          root,
          {
            path: "/l",
            size: 4000,
            mode: LNK,
            payload: text(4000, 1),
            xattrs: [["user.a", "x".repeat(60)], ["security.selinux", "s0"]],
          },
        ]),
    },
    {
      name: "external_tails_crossing",
      dump: () => {
        const lines = [root];
        for (let i = 0; i < 20; i++) {
          // 2^52 = 512 chunks of 2^43 (2048-byte table); +1 makes 513 chunks.
          const size = (1n << 52n) + BigInt(i % 3 === 0 ? 1 : 0);
          lines.push(
            file(`/x${String(i).padStart(2, "0")}`, { size, digest: D1, payload: `ab/${i}` }),
          );
          if (i % 4 === 0) {
            lines.push(inline(`/x${String(i).padStart(2, "0")}i`, randomBytes(300, i)));
          }
        }
        return formatDump(lines);
      },
    },
  ];
}
