/**
 * How C mkcomposefs 1.0.8 reads its input (`tree_from_dump`), where it changes what is accepted.
 *
 * @module
 */

/** The first buffer size of C's reader (`buffer_ensure_space`). */
const C_READ_BUFFER = 64 * 1024;

/**
 * C reads with `fread` into a 64 KiB buffer that doubles for long lines. If a read fills the
 * buffer exactly at the end of the input, the next read returns 0 and the pending partial line
 * is parsed as complete, even in strict mode (§1.1). Replays those reads.
 *
 * @param input the whole dump, which does not end with LF
 * @returns true when C parses the unterminated last line (no `Missing trailing newline`)
 */
export function cReaderParsesUnterminated(input: Uint8Array): boolean {
  const n = input.length;
  let capacity = 0;
  let pending = 0;
  let read = 0;
  for (;;) {
    if (capacity < pending + 1) {
      capacity = capacity === 0 ? C_READ_BUFFER : capacity * 2;
      if (capacity < pending + 1) capacity = pending + 1;
    }
    const want = capacity - pending;
    const got = Math.min(want, n - read);
    if (got === 0) return pending > 0;
    read += got;
    pending = read - (input.lastIndexOf(0x0a, read - 1) + 1);
    if (got < want) return false;
  }
}
