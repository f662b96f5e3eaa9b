/**
 * EROFS and composefs on-disk constants, named as the kernel's `erofs_fs.h` and composefs's
 * `lcfs-erofs.h` / `lcfs-internal.h` name them. Values are never pre-shifted.
 *
 * @module
 */

/** `EROFS_SUPER_OFFSET` (erofs_fs.h): byte offset of the superblock. */
export const EROFS_SUPER_OFFSET = 1024;
/** `EROFS_SUPER_MAGIC_V1` (linux/magic.h). */
export const EROFS_SUPER_MAGIC_V1 = 0xe0f5e1e2;
/** Block size composefs always uses (`EROFS_BLKSIZ`). */
export const EROFS_BLKSIZ = 4096;
/** `blkszbits` for {@link EROFS_BLKSIZ}. */
export const EROFS_BLKSIZ_BITS = 12;
/** Inode slot size: nid = offset / 32 (`EROFS_ISLOTBITS` = 5). */
export const EROFS_SLOTSIZE = 32;

/** `EROFS_FEATURE_COMPAT_SB_CHKSUM` (erofs_fs.h). */
export const EROFS_FEATURE_COMPAT_SB_CHKSUM = 0x00000001;
/** `EROFS_FEATURE_COMPAT_MTIME` (erofs_fs.h). */
export const EROFS_FEATURE_COMPAT_MTIME = 0x00000002;
/** `EROFS_FEATURE_COMPAT_XATTR_FILTER` (erofs_fs.h). */
export const EROFS_FEATURE_COMPAT_XATTR_FILTER = 0x00000004;

/** `EROFS_INODE_LAYOUT_COMPACT` (erofs_fs.h). */
export const EROFS_INODE_LAYOUT_COMPACT = 0;
/** `EROFS_INODE_LAYOUT_EXTENDED` (erofs_fs.h). */
export const EROFS_INODE_LAYOUT_EXTENDED = 1;
/** `EROFS_I_VERSION_BIT` (erofs_fs.h). */
export const EROFS_I_VERSION_BIT = 0;
/** `EROFS_I_VERSION_MASK` (erofs_fs.h). */
export const EROFS_I_VERSION_MASK = 0x01;
/** `EROFS_I_DATALAYOUT_BIT` (erofs_fs.h). */
export const EROFS_I_DATALAYOUT_BIT = 1;
/** `EROFS_I_DATALAYOUT_MASK` (erofs_fs.h). */
export const EROFS_I_DATALAYOUT_MASK = 0x07;

/** `EROFS_INODE_FLAT_PLAIN` (erofs_fs.h). */
export const EROFS_INODE_FLAT_PLAIN = 0;
/** `EROFS_INODE_COMPRESSED_FULL` (erofs_fs.h); never written by composefs. */
export const EROFS_INODE_COMPRESSED_FULL = 1;
/** `EROFS_INODE_FLAT_INLINE` (erofs_fs.h). */
export const EROFS_INODE_FLAT_INLINE = 2;
/** `EROFS_INODE_COMPRESSED_COMPACT` (erofs_fs.h); never written by composefs. */
export const EROFS_INODE_COMPRESSED_COMPACT = 3;
/** `EROFS_INODE_CHUNK_BASED` (erofs_fs.h). */
export const EROFS_INODE_CHUNK_BASED = 4;

/** `EROFS_CHUNK_FORMAT_BLKBITS_MASK` (erofs_fs.h). */
export const EROFS_CHUNK_FORMAT_BLKBITS_MASK = 0x001f;
/** `EROFS_CHUNK_FORMAT_INDEXES` (erofs_fs.h); composefs never sets it. */
export const EROFS_CHUNK_FORMAT_INDEXES = 0x0020;
/** `EROFS_NULL_ADDR` (erofs_fs.h): a hole in a block map, as a u32. */
export const EROFS_NULL_ADDR = 0xffffffff;
/** `EROFS_BLOCK_MAP_ENTRY_SIZE` (erofs_fs.h). */
export const EROFS_BLOCK_MAP_ENTRY_SIZE = 4;

/** `EROFS_XATTR_INDEX_USER` (erofs_fs.h). */
export const EROFS_XATTR_INDEX_USER = 1;
/** `EROFS_XATTR_INDEX_POSIX_ACL_ACCESS` (erofs_fs.h). */
export const EROFS_XATTR_INDEX_POSIX_ACL_ACCESS = 2;
/** `EROFS_XATTR_INDEX_POSIX_ACL_DEFAULT` (erofs_fs.h). */
export const EROFS_XATTR_INDEX_POSIX_ACL_DEFAULT = 3;
/** `EROFS_XATTR_INDEX_TRUSTED` (erofs_fs.h). */
export const EROFS_XATTR_INDEX_TRUSTED = 4;
/** `EROFS_XATTR_INDEX_LUSTRE` (erofs_fs.h); composefs never uses it. */
export const EROFS_XATTR_INDEX_LUSTRE = 5;
/** `EROFS_XATTR_INDEX_SECURITY` (erofs_fs.h). */
export const EROFS_XATTR_INDEX_SECURITY = 6;
/** `EROFS_XATTR_FILTER_BITS` (erofs_fs.h). */
export const EROFS_XATTR_FILTER_BITS = 32;
/** `EROFS_XATTR_FILTER_DEFAULT` (erofs_fs.h). */
export const EROFS_XATTR_FILTER_DEFAULT = 0xffffffff;
/** `EROFS_XATTR_FILTER_SEED` (erofs_fs.h). */
export const EROFS_XATTR_FILTER_SEED = 0x25bbe08f;

/** `EROFS_FT_*` dirent file types (erofs_fs.h, the generic FT_* values). */
export const EROFS_FT_UNKNOWN = 0;
export const EROFS_FT_REG_FILE = 1;
export const EROFS_FT_DIR = 2;
export const EROFS_FT_CHRDEV = 3;
export const EROFS_FT_BLKDEV = 4;
export const EROFS_FT_FIFO = 5;
export const EROFS_FT_SOCK = 6;
export const EROFS_FT_SYMLINK = 7;

/** `EROFS_NAME_LEN` (erofs_fs.h). */
export const EROFS_NAME_LEN = 255;

/** `LCFS_EROFS_MAGIC` (lcfs-erofs.h). */
export const LCFS_EROFS_MAGIC = 0xd078629a;
/** `LCFS_EROFS_VERSION` (lcfs-erofs.h). */
export const LCFS_EROFS_VERSION = 1;
/** `LCFS_EROFS_FLAGS_HAS_ACL` (lcfs-erofs.h). */
export const LCFS_EROFS_FLAGS_HAS_ACL = 1 << 0;
/** `LCFS_MAX_NONINLINE_CHUNKS` (lcfs-erofs-internal.h): most chunks of an external file. */
export const LCFS_MAX_NONINLINE_CHUNKS = 1024;
/** `LCFS_INLINE_CONTENT_MAX` (lcfs-writer.h): longest inline content (and dump CONTENT). */
export const LCFS_INLINE_CONTENT_MAX = 5000;
/**
 * `LCFS_RECOMMENDED_INLINE_CONTENT_MAX` (lcfs-writer.h): a file read from a directory is inlined
 * when it has 1 to this many bytes.
 */
export const LCFS_RECOMMENDED_INLINE_CONTENT_MAX = 64;
/** Tails larger than this go to a block (composefs's EROFS_BLKSIZ / 2 rule). */
export const LCFS_MAX_INLINE_TAIL = EROFS_BLKSIZ / 2;
/** Highest composefs format version C 1.0.8 writes. */
export const LCFS_VERSION_MAX = 1;
