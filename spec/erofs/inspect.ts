/**
 * A line-oriented debug dump of a composefs image that accounts for every byte: each structure
 * (header, superblock, inode, xattr entry, dirent block, data block) is printed with its offset
 * and fields, and every byte between structures is either reported as zero padding or printed
 * in hex. Two images with the same text are the same bytes, so a line diff of
 * `inspectImage(c)` against `inspectImage(ours)` shows where a writer went wrong.
 *
 * Malformed structures are reported on an `!` line and the walk goes on.
 *
 * @module
 */
import { ESCAPE_STANDARD, escapeDumpBytes } from "../dump/escape.ts";
import { EROFS_BLKSIZ, EROFS_INODE_CHUNK_BASED, EROFS_INODE_FLAT_INLINE } from "./constants.ts";
import { EROFS_SUPER_BLOCK_FIELDS, EROFS_SUPER_BLOCK_SIZE } from "./superblock.ts";
import { type ErofsImage, type ErofsInodeInfo, openImage, type RawDirent } from "./open.ts";
import { readDirBlock } from "./read_dir.ts";
import { ByteReader } from "../bytes/byte_reader.ts";

interface Region {
  start: number;
  end: number;
  lines: string[];
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/**
 * The debug dump of `bytes` (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inspectImage } from "./inspect.ts";
 * assert.match(inspectImage(new Uint8Array(10)), /^! /);
 * ```
 */
export function inspectImage(bytes: Uint8Array): string {
  let img: ErofsImage;
  try {
    img = openImage(bytes);
  } catch (e) {
    return `! ${(e as Error).message}\n${hexLines(bytes, 0, bytes.length).join("\n")}\n`;
  }
  const regions: Region[] = [headerRegion(img), superBlockRegion(img)];
  const shared = new Map<number, Region>();
  const seen = new Set<number>();
  const queue = [img.rootNid];
  for (let q = 0; q < queue.length; q++) {
    const nid = queue[q]!;
    if (seen.has(nid)) continue;
    seen.add(nid);
    try {
      for (const child of inspectInode(img, nid, regions, shared)) queue.push(child);
    } catch (e) {
      regions.push({
        start: bytes.length,
        end: bytes.length,
        lines: [`! nid ${nid}: ${(e as Error).message}`],
      });
    }
  }
  regions.push(...shared.values());
  regions.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: string[] = [];
  let pos = 0;
  for (const r of regions) {
    if (r.start > pos) out.push(...gapLines(bytes, pos, r.start));
    if (r.start < pos) out.push(`! overlap: ${hex(r.start)} starts before ${hex(pos)}`);
    out.push(...r.lines);
    pos = Math.max(pos, r.end);
  }
  if (pos < bytes.length) out.push(...gapLines(bytes, pos, bytes.length));
  return out.join("\n") + "\n";
}

function headerRegion(img: ErofsImage): Region {
  const h = img.header;
  return {
    start: 0,
    end: 32,
    lines: [
      `${hex(0)} composefs header: magic=${hex(h.magic)} version=${h.version} flags=${h.flags} ` +
      `composefs_version=${h.composefsVersion}`,
      ...nonZero(img.bytes, 16, 32, "  unused"),
    ],
  };
}

function superBlockRegion(img: ErofsImage): Region {
  const sb = img.superBlock as unknown as Record<string, unknown>;
  const fields = Object.keys(EROFS_SUPER_BLOCK_FIELDS).filter((k) => k in sb).map((k) => {
    const v = sb[k];
    return `${k}=${
      v instanceof Uint8Array
        ? Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("")
        : String(v)
    }`;
  });
  const start = 1024;
  return {
    start,
    end: start + EROFS_SUPER_BLOCK_SIZE,
    lines: [
      `${hex(start)} superblock: ${fields.join(" ")}`,
      ...nonZero(img.bytes, start + EROFS_SUPER_BLOCK_FIELDS.reserved2, start + 128, "  reserved"),
    ],
  };
}

/** Adds the regions of one inode; returns the nids its directory entries name. */
function inspectInode(
  img: ErofsImage,
  nid: number,
  regions: Region[],
  shared: Map<number, Region>,
): number[] {
  const ino = img.inode(nid);
  const lines = [
    `${hex(ino.offset)} inode nid=${nid} ${ino.extended ? "extended" : "compact"} ` +
    `format=${ino.iFormat} layout=${ino.datalayout} mode=0${
      ino.mode.toString(8)
    } nlink=${ino.nlink} ` +
    `size=${ino.size} u=${ino.iU} ino=${ino.ino} uid=${ino.uid} gid=${ino.gid} ` +
    (ino.extended ? `mtime=${ino.mtimeSec}.${ino.mtimeNsec} ` : "") + `icount=${ino.iXattrIcount}`,
  ];
  lines.push(...reservedLines(img.bytes, ino));
  const h = img.xattrHeader(ino);
  if (h !== undefined) {
    lines.push(
      `${hex(ino.xattrOffset)}   xattr header: filter=${
        hex(h.hNameFilter)
      } shared=${h.hSharedCount}`,
    );
    lines.push(...nonZero(img.bytes, ino.xattrOffset + 5, ino.xattrOffset + 12, "    reserved"));
    for (let i = 0; i < h.hSharedCount; i++) {
      const at = ino.xattrOffset + 12 + 4 * i;
      lines.push(`${hex(at)}   shared id ${new ByteReader(img.bytes).u32(at)}`);
    }
  }
  let end = ino.tailOffset;
  img.forEachXattr(ino, (x) => {
    const text = `xattr index=${x.index} name=${escapeDumpBytes(x.suffix, ESCAPE_STANDARD)} ` +
      `value=${escapeDumpBytes(x.value, ESCAPE_STANDARD)}`;
    const pad = nonZero(img.bytes, x.valueOffset + x.valueSize, x.offset + x.entrySize, "  pad");
    if (!x.shared) {
      lines.push(`${hex(x.offset)}   ${text}`, ...pad);
      return;
    }
    if (!shared.has(x.offset)) {
      const lines = [`${hex(x.offset)} shared ${text}`, ...pad];
      shared.set(x.offset, { start: x.offset, end: x.offset + x.entrySize, lines });
    }
  });
  const children: number[] = [];
  const isDir = (ino.mode & S_IFMT) === S_IFDIR;
  if (ino.datalayout === EROFS_INODE_CHUNK_BASED && ino.size > 0n) {
    const c = img.chunks(ino);
    lines.push(`${hex(c.offset)}   chunk table: chunkbits=${c.chunkbits} count=${c.count}`);
    lines.push(...hexLines(img.bytes, c.offset, c.offset + c.table.length).map((l) => `    ${l}`));
    end = c.offset + c.table.length;
  } else if (
    ino.datalayout <= EROFS_INODE_FLAT_INLINE && ino.size > 0n && (ino.datalayout & 1) === 0
  ) {
    const l = img.flatLayout(ino);
    for (let b = 0; b < l.blocks; b++) {
      const start = (l.blkaddr + b) * EROFS_BLKSIZ;
      const size = b + 1 === l.blocks ? l.lastBlockSize : EROFS_BLKSIZ;
      regions.push(dataRegion(img, ino, start, size, isDir, children));
    }
    if (l.tailSize > 0) {
      lines.push(...dataRegion(img, ino, l.tailOffset, l.tailSize, isDir, children).lines);
      end = l.tailOffset + l.tailSize;
    }
  }
  regions.push({ start: ino.offset, end, lines });
  return children;
}

/** A data block or inline tail: dirents for a directory, else hex. */
function dataRegion(
  img: ErofsImage,
  ino: ErofsInodeInfo,
  start: number,
  size: number,
  isDir: boolean,
  children: number[],
): Region {
  const lines = [`${hex(start)} ${isDir ? "dirents" : "data"} of nid ${ino.nid} (${size} bytes)`];
  if (isDir) {
    const entries: RawDirent[] = [];
    readDirBlock(new ByteReader(img.bytes), start, size, ino.nid, entries);
    for (const d of entries) {
      const reserved = img.bytes[d.offset + 11] === 0
        ? ""
        : ` reserved=${img.bytes[d.offset + 11]}`;
      const name = escapeDumpBytes(d.name, ESCAPE_STANDARD);
      lines.push(`${hex(d.offset)}   nid=${d.nid} type=${d.fileType}${reserved} ${name}`);
      if (!isDot(d.name)) children.push(d.nid);
    }
    const namesEnd = entries.length === 0
      ? start
      : entries.at(-1)!.name.byteOffset - img.bytes.byteOffset + entries.at(-1)!.name.length;
    lines.push(
      ...nonZero(
        img.bytes,
        namesEnd,
        start + (size === EROFS_BLKSIZ ? EROFS_BLKSIZ : size),
        "  after names",
      ),
    );
  } else {
    lines.push(...hexLines(img.bytes, start, start + size).map((l) => `  ${l}`));
  }
  const end = isDir || size < EROFS_BLKSIZ ? start + size : start + EROFS_BLKSIZ;
  return { start, end, lines };
}

function isDot(n: Uint8Array): boolean {
  return n[0] === 0x2e && (n.length === 1 || (n.length === 2 && n[1] === 0x2e));
}

/** The inode's reserved fields, when not zero. */
function reservedLines(bytes: Uint8Array, ino: ErofsInodeInfo): string[] {
  if (ino.extended) {
    return [
      ...nonZero(bytes, ino.offset + 6, ino.offset + 8, "  i_reserved"),
      ...nonZero(bytes, ino.offset + 48, ino.offset + 64, "  i_reserved2"),
    ];
  }
  return [
    ...nonZero(bytes, ino.offset + 12, ino.offset + 16, "  i_reserved"),
    ...nonZero(bytes, ino.offset + 28, ino.offset + 32, "  i_reserved2"),
  ];
}

/** Hex of `[start, end)` when any byte is not zero. */
function nonZero(bytes: Uint8Array, start: number, end: number, what: string): string[] {
  const s = bytes.subarray(start, end);
  if (s.every((b) => b === 0)) return [];
  return [`${hex(start)} ${what}:`, ...hexLines(bytes, start, end)];
}

/** Bytes between structures: one line for zeros, else hex. */
function gapLines(bytes: Uint8Array, start: number, end: number): string[] {
  if (bytes.subarray(start, end).every((b) => b === 0)) {
    return [`${hex(start)} zero padding (${end - start} bytes)`];
  }
  return [`${hex(start)} unaccounted (${end - start} bytes):`, ...hexLines(bytes, start, end)];
}

/** Hex rows of 16 bytes; a run of identical rows is shown once, then `*`. */
function hexLines(bytes: Uint8Array, start: number, end: number): string[] {
  const out: string[] = [];
  let last = "";
  let starred = false;
  for (let o = start; o < end; o += 16) {
    const row = Array.from(
      bytes.subarray(o, Math.min(end, o + 16)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join(" ");
    if (row === last && o + 16 < end) {
      if (!starred) out.push("*");
      starred = true;
      continue;
    }
    out.push(`${hex(o)}  ${row}`);
    last = row;
    starred = false;
  }
  return out;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}
