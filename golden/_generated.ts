/**
 * Golden dumps too long to write by hand (inline content, long names, big directories, xattr
 * limits). `golden/make.ts` writes them as `NAME.dump` (or `fail/NAME.dump`); the output is
 * deterministic, so regenerating them never changes a committed file.
 *
 * @module
 */

import {
  dirCases,
  inlineCases,
  nameCases,
  symlinkCases,
  tailPlacementCases,
} from "./_gen_layout.ts";
import { lineCases } from "./_gen_lines.ts";
import { limitFailCases, mixedTreeCase, rootCases, xattrCases } from "./_gen_xattrs.ts";

/** One generated case. */
export interface GeneratedCase {
  /** File name without `.dump`. */
  name: string;
  /** True for a dump the C tool rejects (goes to `golden/fail/`). */
  fail?: boolean;
  /** The dump bytes. */
  dump: () => Uint8Array;
}

/** Every generated case. */
export function generatedCases(): GeneratedCase[] {
  return [
    ...inlineCases(),
    ...symlinkCases(),
    ...nameCases(),
    ...dirCases(),
    ...tailPlacementCases(),
    ...xattrCases(),
    ...rootCases(),
    ...limitFailCases(),
    ...lineCases(),
    mixedTreeCase(),
  ];
}
