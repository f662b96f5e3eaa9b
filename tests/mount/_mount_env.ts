/**
 * Helpers for the mount tests: whether this machine can mount (root, erofs, overlay), scratch
 * folders, building an image and its object store with our mkcomposefs, a byte-exact snapshot
 * of a tree as the kernel shows it (through libc: names of any bytes, nanosecond mtimes,
 * xattrs), and the leftover checks (mounts, loop devices, temporary folders).
 *
 * @module
 */
import { createHash } from "node:crypto";
import * as libc from "../../src/fs/libc.ts";
import * as ffi from "../../src/fs/mount_ffi.ts";
import { SysError } from "../../src/fs/errno.ts";
import { nodeSha256 } from "../../src/crypto/sha256.ts";
import { fsverityDigest } from "../../spec/fsverity/merkle.ts";
import { objectPathOf } from "../../spec/fsverity/object_path.ts";

const enc = new TextEncoder();
const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);

/** True when the tests may mount here: root, FFI, and erofs and overlay in the kernel. */
export function canMount(): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    if (!libc.ffiAvailable()) return false;
    // Not Deno.uid(): it needs --allow-sys, which `deno task test` does not grant.
    const status = readText("/proc/self/status");
    if (!/^Uid:\s+0\s/m.test(status)) return false;
    const fs = readText("/proc/filesystems");
    return /\terofs$/m.test(fs) && /\toverlay$/m.test(fs);
  } catch {
    return false;
  }
}

const dec = new TextDecoder();

/**
 * Reads a whole (small) file through libc: Deno wants `--allow-all` for `/proc` and `/sys`,
 * which `deno task test` does not grant.
 */
export function readText(path: string): string {
  return dec.decode(readAll(enc.encode(path)));
}

/** Writes `text` to an existing file through libc (see {@link readText}). */
function writeText(path: string, text: string): void {
  const fd = libc.openAt(libc.AT_FDCWD, enc.encode(path), libc.O_WRONLY);
  try {
    libc.writeAll(fd, enc.encode(text));
  } finally {
    libc.closeFd(fd);
  }
}

function readLink(path: string): string {
  return dec.decode(libc.readlinkAt(libc.AT_FDCWD, enc.encode(path), new Uint8Array(4096)));
}

/** A scratch folder with the usual parts of a mount test. */
export interface Scratch {
  /** The scratch root. */
  dir: string;
  /** Source tree, object store, mount point, temporary-mount parent, the image path. */
  src: string;
  objects: string;
  mnt: string;
  tmp: string;
  image: string;
  /** Unmounts anything left under `dir` (lazily) and removes it. */
  cleanup(): Promise<void>;
}

/** Makes a scratch folder under /tmp with `src`, `objects`, `mnt`, `tmp` inside. */
export async function makeScratch(): Promise<Scratch> {
  const dir = await Deno.makeTempDir({ prefix: "cfs-mount-test-" });
  const s = {
    dir,
    src: `${dir}/src`,
    objects: `${dir}/objects`,
    mnt: `${dir}/mnt`,
    tmp: `${dir}/tmp`,
    image: `${dir}/image.cfs`,
  };
  for (const d of [s.src, s.objects, s.mnt, s.tmp]) await Deno.mkdir(d);
  return {
    ...s,
    async cleanup() {
      for (const m of mountsUnder(dir).reverse()) {
        try {
          ffi.umount2(m, ffi.MNT_DETACH);
        } catch {
          // Already gone.
        }
      }
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Runs our mkcomposefs (`cli.ts`) with `args`; throws with its stderr when it fails. */
export async function runOurMkcomposefs(args: readonly string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}cli.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`mkcomposefs ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/**
 * Builds `s.image` from `s.src` with our mkcomposefs, and fills `s.objects` with every regular
 * file of the source at its object path (`xx/yyyy…` of its fs-verity digest), as
 * `--digest-store` would. Extra objects (for inlined files) do no harm in a data-only layer.
 */
export async function buildImage(s: Scratch): Promise<void> {
  await runOurMkcomposefs([s.src, s.image]);
  populateStore(s.src, s.objects);
}

/** Copies every regular file under `src` into the object store `objects`. */
export function populateStore(src: string, objects: string): void {
  const walk = (path: Uint8Array) => {
    const st = libc.statxAt(libc.AT_FDCWD, path, libc.AT_SYMLINK_NOFOLLOW);
    if ((st.mode & 0o170000) === 0o100000) {
      const data = readAll(path);
      const rel = new TextDecoder().decode(objectPathOf(fsverityDigest(data, nodeSha256)));
      Deno.mkdirSync(`${objects}/${rel.slice(0, 2)}`, { recursive: true });
      Deno.writeFileSync(`${objects}/${rel}`, data);
    } else if ((st.mode & 0o170000) === 0o040000) {
      for (const n of readNames(path)) walk(join(path, n));
    }
  };
  walk(enc.encode(src));
}

function readAll(path: Uint8Array): Uint8Array {
  const fd = libc.openAt(libc.AT_FDCWD, path, libc.O_RDONLY | libc.O_NOFOLLOW);
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const buf = new Uint8Array(65536);
      const n = libc.readFd(fd, buf);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
    }
  } finally {
    libc.closeFd(fd);
  }
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function readNames(path: Uint8Array): Uint8Array[] {
  const fd = libc.openAt(libc.AT_FDCWD, path, libc.O_RDONLY | libc.O_DIRECTORY);
  try {
    return libc.readDirEntries(fd, new Uint8Array(65536)).map((e) => e.name);
  } finally {
    libc.closeFd(fd);
  }
}

/** Mount points (mountinfo field 5) at or below `path`, in mount order. */
export function mountsUnder(path: string): string[] {
  const out: string[] = [];
  for (const line of readText("/proc/self/mountinfo").split("\n")) {
    const point = line.split(" ")[4];
    if (point === undefined) continue;
    const p = point.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
    if (p === path || p.startsWith(`${path}/`)) out.push(p);
  }
  return out;
}

/** Loop devices whose backing file is `file` (`/sys/block/loop*\/loop/backing_file`). */
export function loopsBackedBy(file: string): string[] {
  const real = Deno.realPathSync(file);
  const out: string[] = [];
  for (const name of readNames(enc.encode("/sys/block")).map((n) => dec.decode(n))) {
    if (!name.startsWith("loop")) continue;
    try {
      const backing = readText(`/sys/block/${name}/loop/backing_file`).trim();
      if (backing === real || backing === `${real} (deleted)`) out.push(`/dev/${name}`);
    } catch {
      // Not bound.
    }
  }
  return out;
}

/** Entries of a folder (names), for the "no temporary folder left" checks. */
export function listDir(path: string): string[] {
  return [...Deno.readDirSync(path)].map((e) => e.name).sort();
}

/** `umount2(target, 0)`, retried while the mount is busy for a moment. */
export function unmount(target: string): void {
  // EBUSY can be transient: a test file running in parallel in this process may fork a child
  // while our walk has a descriptor open in the mount; the child holds a copy until it execs.
  for (let attempt = 1;; attempt++) {
    try {
      ffi.umount2(target, 0);
      return;
    } catch (e) {
      if (!(e instanceof SysError && e.code === "EBUSY") || attempt >= 200) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** One entry as the kernel shows it; strings so that a failed comparison prints well. */
export interface SnapEntry {
  type: string;
  mode: string;
  uid: number;
  gid: number;
  mtime: string;
  size?: string;
  rdev?: number;
  target?: string;
  xattrs: string[];
  content?: string;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + 1 + b.length);
  out.set(a);
  out[a.length] = 0x2f;
  out.set(b, a.length + 1);
  return out;
}

function typeOf(mode: number): string {
  return ({ 1: "fifo", 2: "chr", 4: "dir", 6: "blk", 8: "reg", 10: "lnk", 12: "sock" } as Record<
    number,
    string
  >)[mode >> 12] ?? "?";
}

function contentHash(path: Uint8Array): string {
  return createHash("sha256").update(readAll(path)).digest("hex");
}

function entry(path: Uint8Array): SnapEntry {
  const st = libc.statxAt(libc.AT_FDCWD, path, libc.AT_SYMLINK_NOFOLLOW);
  const type = typeOf(st.mode);
  const xattrs = libc.listXattrs(path, true)
    .filter((k) => new TextDecoder().decode(k).startsWith("user."))
    .map((k) => `${new TextDecoder().decode(k)}=${hex(libc.getXattrValue(path, k, true))}`)
    .sort();
  const e: SnapEntry = {
    type,
    mode: (st.mode & 0o7777).toString(8),
    uid: st.uid,
    gid: st.gid,
    mtime: `${st.mtimeSec}.${String(st.mtimeNsec).padStart(9, "0")}`,
    xattrs,
  };
  if (type === "reg" || type === "lnk") e.size = String(st.size);
  if (type === "chr" || type === "blk") e.rdev = st.rdev;
  if (type === "lnk") e.target = hex(libc.readlinkAt(libc.AT_FDCWD, path, new Uint8Array(8192)));
  if (type === "reg") e.content = contentHash(path);
  return e;
}

/** Every entry under `root` (the root itself as `"."`), keyed by the hex of its path bytes. */
export function snapshot(root: string): Map<string, SnapEntry> {
  const out = new Map<string, SnapEntry>();
  const walk = (path: Uint8Array, key: string) => {
    const e = entry(path);
    out.set(key, e);
    if (e.type !== "dir") return;
    for (const n of readNames(path)) walk(join(path, n), `${key}/${hex(n)}`);
  };
  walk(enc.encode(root), ".");
  return out;
}

/** The entries of `a` and `b` that differ, as readable lines (empty when equal). */
export function diffSnapshots(
  a: Map<string, SnapEntry>,
  b: Map<string, SnapEntry>,
): string[] {
  const out: string[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = JSON.stringify(a.get(key));
    const y = JSON.stringify(b.get(key));
    if (x !== y) out.push(`${key}:\n  source ${x}\n  mount  ${y}`);
  }
  return out;
}

/** True when `unshare(1)` is installed (for the idmap tests' user namespace). */
export function hasUnshare(): boolean {
  try {
    return new Deno.Command("unshare", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` with the path of a new user namespace (`/proc/PID/ns/user` of an `unshare --user
 * sleep`) whose uid and gid maps are `map` (`"INNER OUTER COUNT"`), written by us as root.
 */
export async function withUserns(
  map: string,
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const child = new Deno.Command("unshare", {
    args: ["--user", "sleep", "1000"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const ours = readLink("/proc/self/ns/user");
    // Wait until the child has left our namespace (it execs sleep right after).
    for (let i = 0; readLink(`/proc/${child.pid}/ns/user`) === ours; i++) {
      if (i > 1000) throw new Error("unshare --user did not make a user namespace");
      await new Promise((r) => setTimeout(r, 5));
    }
    writeText(`/proc/${child.pid}/uid_map`, `${map}\n`);
    writeText(`/proc/${child.pid}/gid_map`, `${map}\n`);
    await fn(`/proc/${child.pid}/ns/user`);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
}

/** `FS_IOC_ENABLE_VERITY` = `_IOW('f', 133, struct fsverity_enable_arg)` (linux/fsverity.h). */
const FS_IOC_ENABLE_VERITY = 0x40806685n;

/** Enables fs-verity (SHA-256, 4096-byte blocks, no salt) on `path`; throws when it cannot. */
export function enableVerity(path: string): void {
  const fd = libc.openAt(libc.AT_FDCWD, enc.encode(path), libc.O_RDONLY);
  try {
    // struct fsverity_enable_arg { u32 version, hash_algorithm, block_size, salt_size; … }
    const arg = new Uint8Array(128);
    const v = new DataView(arg.buffer);
    v.setUint32(0, 1, true);
    v.setUint32(4, 1, true);
    v.setUint32(8, 4096, true);
    const r = libc.ioctlPtr(fd, FS_IOC_ENABLE_VERITY, arg);
    if (r < 0) throw new Error(`Cannot enable fs-verity on ${path}: errno ${-r}`);
  } finally {
    libc.closeFd(fd);
  }
}

/** True when files under /tmp can get fs-verity (never on our machines; CI may differ). */
export async function verityAvailable(): Promise<boolean> {
  const dir = await Deno.makeTempDir({ prefix: "cfs-verity-probe-" });
  try {
    Deno.writeFileSync(`${dir}/f`, new Uint8Array(4096));
    enableVerity(`${dir}/f`);
    return true;
  } catch {
    return false;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
