/**
 * The tree node the directory walk makes: a {@link Node} whose fs-verity digest and payload (the
 * object path `xx/yyyy…`) stay in two buffers shared by the whole tree ({@link DigestSlots}).
 * `digest` and `payload` are views made when read, so a large tree holds no two views per file:
 * about 200 bytes a file, a third of a node's memory.
 *
 * @module
 */
import { OBJECT_PATH_LENGTH, writeObjectPath } from "../../spec/fsverity/object_path.ts";
import { type Node, S_IFDIR, S_IFMT, type Xattr } from "../../spec/tree/node.ts";

const EMPTY = new Uint8Array(0);
const PATH_LEN = OBJECT_PATH_LENGTH;
/** A name is kept as `offset * NAME_AT_OFFSET + length`. */
const NAME_AT_OFFSET = 2 ** 16;

/** The digests of a walk's files, 32 bytes per slot, and their object paths, 65 per slot. */
export class DigestSlots {
  readonly digests: Uint8Array;
  readonly paths: Uint8Array;

  /** Takes `digests` (32 bytes per slot) as is and writes the object path of every slot. */
  constructor(digests: Uint8Array, count: number) {
    this.digests = digests;
    this.paths = new Uint8Array(count * PATH_LEN);
    for (let i = 0; i < count; i++) {
      writeObjectPath(digests.subarray(i * 32, i * 32 + 32), this.paths, i * PATH_LEN);
    }
  }
}
const NO_XATTRS = Object.freeze([]) as unknown as Xattr[];
const NO_CHILDREN = Object.freeze([]) as unknown as Node[];

/** The fields most scanned nodes leave at their defaults, kept apart to save 40 bytes a node. */
interface Rare {
  nlink: number;
  rdev: number;
  content: Uint8Array | null;
  linkTo: Node | null;
  digest: Uint8Array | null;
  payload: Uint8Array | null;
}

/** A node read from disk; see the module doc. Assigning `digest` or `payload` stores them. */
export class ScannedNode implements Node {
  parent: Node | null = null;
  mode: number;
  uid: number;
  gid: number;
  size: bigint;
  mtimeSec = 0n;
  mtimeNsec = 0;
  xattrs: Xattr[] = NO_XATTRS;
  xattrBudget = 0;
  children: Node[];
  /**
   * The name as the buffer holding it and `offset * 2^16 + length`: a view per node would cost
   * ~100 bytes, and names (from the walk's arena) are read far less often than kept.
   */
  #nameBuffer: ArrayBufferLike = EMPTY.buffer;
  #nameAt = 0;
  /** The walk's digests and this file's slot in them; -1 when there is none. */
  #slots: DigestSlots | null = null;
  #slot = -1;
  #rare: Rare | null = null;

  constructor(mode: number, uid: number, gid: number, rdev: number, size: bigint) {
    this.mode = mode >>> 0;
    this.uid = uid;
    this.gid = gid;
    this.size = size;
    this.children = (mode & S_IFMT) === S_IFDIR ? [] : NO_CHILDREN;
    if (rdev !== 0) this.rdev = rdev;
  }

  #ensureRare(): Rare {
    return this.#rare ??= {
      nlink: 1,
      rdev: 0,
      content: null,
      linkTo: null,
      digest: null,
      payload: null,
    };
  }

  get name(): Uint8Array {
    const at = this.#nameAt;
    return new Uint8Array(this.#nameBuffer, Math.floor(at / NAME_AT_OFFSET), at % NAME_AT_OFFSET);
  }

  set name(v: Uint8Array) {
    if (v.length >= NAME_AT_OFFSET) throw new RangeError("Cannot keep a name of 64 KiB or more");
    this.#nameBuffer = v.buffer;
    this.#nameAt = v.byteOffset * NAME_AT_OFFSET + v.length;
  }

  get nlink(): number {
    return this.#rare?.nlink ?? 1;
  }

  set nlink(v: number) {
    this.#ensureRare().nlink = v;
  }

  get rdev(): number {
    return this.#rare?.rdev ?? 0;
  }

  set rdev(v: number) {
    this.#ensureRare().rdev = v;
  }

  get content(): Uint8Array | null {
    return this.#rare?.content ?? null;
  }

  set content(v: Uint8Array | null) {
    this.#ensureRare().content = v;
  }

  get linkTo(): Node | null {
    return this.#rare?.linkTo ?? null;
  }

  set linkTo(v: Node | null) {
    this.#ensureRare().linkTo = v;
  }

  /**
   * Points the digest and the payload at `slot` of `slots` (as C's
   * `lcfs_node_set_fsverity_digest` plus the `xx/yyyy…` payload).
   */
  setDigestSlot(slots: DigestSlots, slot: number): void {
    this.#slots = slots;
    this.#slot = slot;
    if (this.#rare !== null) this.#rare.digest = this.#rare.payload = null;
  }

  get digest(): Uint8Array | null {
    return this.#slot >= 0
      ? this.#slots!.digests.subarray(this.#slot * 32, this.#slot * 32 + 32)
      : this.#rare?.digest ?? null;
  }

  set digest(d: Uint8Array | null) {
    this.#unslot();
    this.#ensureRare().digest = d;
  }

  get payload(): Uint8Array | null {
    return this.#slot >= 0
      ? this.#slots!.paths.subarray(this.#slot * PATH_LEN, (this.#slot + 1) * PATH_LEN)
      : this.#rare?.payload ?? null;
  }

  set payload(p: Uint8Array | null) {
    this.#unslot();
    this.#ensureRare().payload = p;
  }

  /** Before one of digest and payload is set: the other keeps its value, as a copy. */
  #unslot(): void {
    if (this.#slot < 0) return;
    const rare = this.#ensureRare();
    rare.digest = this.digest!.slice();
    rare.payload = this.payload!.slice();
    this.#slot = -1;
    this.#slots = null;
  }
}
