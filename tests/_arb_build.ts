/**
 * Turns drawn drafts into dump lines: places each in the tree (parent before child, root first),
 * drops duplicate names and resolves hardlink targets, so every draw, shrunk or not, is a valid
 * dump.
 *
 * @module
 */

import type { DumpLine } from "./_dump_text.ts";
import type { XattrList } from "./_arb_xattrs.ts";

/** File type bits (sys/stat.h). */
export const S_IFDIR = 0o040000;
/** Regular file. */
export const S_IFREG = 0o100000;
/** Symbolic link. */
export const S_IFLNK = 0o120000;
/** Character device. */
export const S_IFCHR = 0o020000;
/** Block device. */
export const S_IFBLK = 0o060000;
/** FIFO. */
export const S_IFIFO = 0o010000;
/** Socket. */
export const S_IFSOCK = 0o140000;

/** Fields every entry draws. */
export interface Common {
  /** Permission bits (with suid/sgid/sticky). */
  perm: number;
  /** UID. */
  uid: number;
  /** GID. */
  gid: number;
  /** NLINK as written in the dump. */
  nlink: number;
  /** MTIME (seconds, nanoseconds). */
  mtime: [bigint, number];
  /** Xattrs in dump order. */
  xattrs: XattrList;
}

/** One non-hardlink entry, before it has a path. */
export type EntryDraft =
  | { type: "dir"; c: Common }
  | { type: "inline"; c: Common; content: Uint8Array }
  | {
    type: "external";
    c: Common;
    size: bigint;
    digest: string | undefined;
    payload: Uint8Array | undefined;
  }
  | { type: "symlink"; c: Common; target: Uint8Array }
  | { type: "device"; c: Common; mode: number; rdev: number; size: bigint }
  | { type: "whiteout"; c: Common; rdev: number };

/** A drawn item: an entry, a hardlink, or a directory with many long-named entries. */
export type Draft =
  | { kind: "entry"; parent: number; name: Uint8Array; entry: EntryDraft }
  | {
    kind: "hardlink";
    parent: number;
    name: Uint8Array;
    mode: number;
    target: number;
    toDirectory: boolean;
  }
  | {
    kind: "bulk";
    parent: number;
    name: Uint8Array;
    count: number;
    nameLength: number;
    c: Common;
  };

const enc = new TextEncoder();

function commonFields(c: Common, mode: number): Omit<DumpLine, "path"> {
  return {
    mode,
    nlink: c.nlink,
    uid: c.uid,
    gid: c.gid,
    mtimeSec: c.mtime[0],
    mtimeNsec: c.mtime[1],
    xattrs: c.xattrs,
  };
}

function entryFields(e: EntryDraft): Omit<DumpLine, "path"> {
  switch (e.type) {
    case "dir":
      return { ...commonFields(e.c, S_IFDIR | e.c.perm), size: 4096 };
    case "inline":
      return e.content.length === 0
        ? { ...commonFields(e.c, S_IFREG | e.c.perm), size: 0 }
        : { ...commonFields(e.c, S_IFREG | e.c.perm), size: e.content.length, content: e.content };
    case "external":
      return {
        ...commonFields(e.c, S_IFREG | e.c.perm),
        size: e.size,
        ...(e.digest === undefined ? {} : { digest: e.digest }),
        ...(e.payload === undefined ? {} : { payload: e.payload }),
      };
    case "symlink":
      return { ...commonFields(e.c, S_IFLNK | 0o777), size: e.target.length, payload: e.target };
    case "device":
      return { ...commonFields(e.c, e.mode | e.c.perm), size: e.size, rdev: e.rdev };
    case "whiteout":
      return { ...commonFields(e.c, S_IFCHR | e.c.perm), size: 0, rdev: e.rdev };
  }
}

interface Dir {
  path: Uint8Array;
  names: Set<string>;
}

function join(dir: Uint8Array, name: Uint8Array): Uint8Array {
  const out = new Uint8Array(dir.length + 1 + name.length);
  out.set(dir);
  out[dir.length] = 0x2f;
  out.set(name, dir.length + 1);
  return dir.length === 1 ? out.subarray(1) : out;
}

const key = (b: Uint8Array) => String.fromCharCode(...b);

/**
 * Places drafts in a tree: each goes under directory `parent % dirs`, duplicates are dropped,
 * and a hardlink targets a real non-directory (or, when `toDirectory`, a directory) or an earlier
 * hardlink, so chains never form a cycle. Without any target it becomes an empty file.
 */
export function buildDumpLines(root: Common, drafts: readonly Draft[]): DumpLine[] {
  const rootPath = Uint8Array.of(0x2f);
  const lines: DumpLine[] = [{
    path: rootPath,
    ...commonFields(root, S_IFDIR | root.perm),
    size: 4096,
  }];
  const dirs: Dir[] = [{ path: rootPath, names: new Set() }];
  const targets: Uint8Array[] = [];
  const pending: { line: DumpLine; target: number; toDirectory: boolean }[] = [];
  const place = (parent: number, name: Uint8Array): Uint8Array | undefined => {
    const dir = dirs[parent % dirs.length]!;
    const k = key(name);
    if (dir.names.has(k)) return undefined;
    dir.names.add(k);
    return join(dir.path, name);
  };
  for (const d of drafts) {
    const path = place(d.parent, d.name);
    if (!path) continue;
    if (d.kind === "entry") {
      lines.push({ path, ...entryFields(d.entry) });
      if (d.entry.type === "dir") dirs.push({ path, names: new Set() });
      else targets.push(path);
    } else if (d.kind === "hardlink") {
      const line: DumpLine = { path, mode: d.mode, hardlink: true, nlink: 1 };
      lines.push(line);
      pending.push({ line, target: d.target, toDirectory: d.toDirectory });
    } else {
      lines.push({ path, ...commonFields(d.c, S_IFDIR | 0o755), size: 4096 });
      for (let i = 0; i < d.count; i++) {
        const head = `${String(i).padStart(3, "0")}-`;
        const name = enc.encode(head + "n".repeat(d.nameLength - head.length));
        lines.push({ path: join(path, name), mode: S_IFREG | 0o644, size: 0 });
      }
      dirs.push({ path, names: new Set() });
    }
  }
  // Resolve hardlinks in order: each may target any real node or an earlier hardlink.
  for (const p of pending) {
    const pool = p.toDirectory ? dirs.map((d) => d.path) : targets;
    if (pool.length === 0) {
      Object.assign(p.line, { mode: S_IFREG | 0o644, hardlink: false });
      continue;
    }
    p.line.payload = pool[p.target % pool.length]!;
    if (!p.toDirectory) targets.push(p.line.path as Uint8Array);
  }
  return lines;
}
