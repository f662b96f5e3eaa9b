/**
 * Generated golden cases about xattrs, the root (stubs, nid) and a large mixed tree.
 *
 * @module
 */

import { type DumpLine, formatDump } from "../tests/_dump_text.ts";
import { D1, DIR, file, inline, LNK, prng, randomBytes, root, text } from "./_gen_util.ts";
import type { GeneratedCase } from "./_generated.ts";

const pad3 = (i: number) => String(i).padStart(3, "0");

/** `n` xattrs `user.sNNN=v`, identical on every node that gets them. */
function sharedSet(n: number): [string, string][] {
  return Array.from({ length: n }, (_, i): [string, string] => [`user.s${pad3(i)}`, "v"]);
}

/** Xattr cases: the 128-reference limit, the budget, big values and keys. */
export function xattrCases(): GeneratedCase[] {
  return [
    {
      // /a and /b reference 128 shared entries each and keep 2 inline; /c keeps 1 inline.
      name: "xattr_shared_over_128",
      dump: () =>
        formatDump([
          root,
          file("/a", { xattrs: sharedSet(130) }),
          file("/b", { xattrs: sharedSet(130) }),
          file("/c", { xattrs: sharedSet(129) }),
          file("/d", { xattrs: sharedSet(3) }),
        ]),
    },
    {
      // 12 + 7 + len("user.big") + 32740 = 32767: exactly the per-node budget.
      name: "xattr_budget_exact",
      dump: () => formatDump([root, file("/f", { xattrs: [["user.big", text(32740, 3)]] })]),
    },
    {
      name: "xattr_budget_exceeded",
      fail: true,
      dump: () => formatDump([root, file("/f", { xattrs: [["user.big", text(32741, 3)]] })]),
    },
    {
      // 1000 distinct keys on one node, 12 + 1000 * 27 bytes of budget.
      name: "xattr_many_keys",
      dump: () =>
        formatDump([
          root,
          file("/f", {
            xattrs: Array.from({ length: 1000 }, (_, i): [string, string] => [
              `user.k${String(i).padStart(4, "0")}`,
              text(10, i),
            ]),
          }),
        ]),
    },
    {
      name: "xattr_key_255",
      dump: () => formatDump([root, file("/f", { xattrs: [["user." + text(250, 1), "v"]] })]),
    },
    {
      name: "xattr_key_256",
      fail: true,
      dump: () => formatDump([root, file("/f", { xattrs: [["user." + text(251, 1), "v"]] })]),
    },
    {
      name: "xattr_binary_values_shared",
      dump: () => {
        const v = randomBytes(300, 9);
        return formatDump([
          root,
          file("/a", { xattrs: [["trusted.bin", v], ["user.x", randomBytes(17, 1)]] }),
          file("/b", { xattrs: [["trusted.bin", v], ["user.x", randomBytes(17, 2)]] }),
          { path: "/d", size: 4096, mode: DIR, xattrs: [["trusted.bin", v]] },
        ]);
      },
    },
    {
      // The xattr section of a line may hold at most 65535 bytes.
      name: "xattr_section_too_long",
      fail: true,
      dump: () =>
        formatDump([
          root,
          file("/f", {
            xattrs: Array.from({ length: 2500 }, (_, i): [string, string] => [
              `user.${String(i).padStart(5, "0")}`,
              "0123456789abcdef",
            ]),
          }),
        ]),
    },
  ];
}

/** Root cases: existing `00`..`ff` names, a root nid pushed past a block boundary. */
export function rootCases(): GeneratedCase[] {
  return [
    {
      name: "root_00_ff",
      dump: () => {
        const lines: DumpLine[] = [root];
        for (let i = 0; i < 256; i++) {
          const n = "/" + i.toString(16).padStart(2, "0");
          if (i < 64) lines.push({ path: n, size: 4096, mode: DIR });
          else if (i < 128) lines.push(inline(n, Uint8Array.of(i)));
          else if (i < 192) lines.push({ path: n, size: 1, mode: LNK, payload: "x" });
          else lines.push({ path: n, mode: 0o10644 });
        }
        lines.push(file("/0"), file("/000"), file("/AA"), file("/fg"));
        return formatDump(lines);
      },
    },
    {
      // About 2.8 KB of xattrs and a dirent tail: the root inode moves past 4096 (nid > 36).
      name: "root_many_xattrs",
      dump: () => {
        const xattrs = Array.from({ length: 26 }, (_, i): [string, string] => [
          `user.r${String(i).padStart(2, "0")}`,
          text(100, i),
        ]);
        const lines: DumpLine[] = [{ ...root, xattrs }];
        for (let i = 0; i < 40; i++) {
          lines.push(file(`/child-with-a-moderately-long-name-${String(i).padStart(2, "0")}`));
        }
        return formatDump(lines);
      },
    },
  ];
}

/** Limits of single fields that the C tool rejects. */
export function limitFailCases(): GeneratedCase[] {
  return [
    {
      name: "symlink_4096",
      fail: true,
      dump: () => formatDump([root, { path: "/l", size: 4096, mode: LNK, payload: text(4096, 1) }]),
    },
    {
      name: "payload_4096",
      fail: true,
      dump: () => formatDump([root, file("/f", { size: 100, payload: text(4096, 1) })]),
    },
    {
      name: "inline_5001",
      fail: true,
      dump: () => formatDump([root, inline("/f", randomBytes(5001, 1))]),
    },
  ];
}

/** A large pseudo-random tree mixing every entry type, for broad regression coverage. */
export function mixedTreeCase(): GeneratedCase {
  return {
    name: "mixed_tree",
    dump: () => {
      const r = prng(2024);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
      const keys = ["user.a", "user.b", "trusted.overlay.x", "security.selinux", "user.mime"];
      const values = ["", "1", "text/plain", "system_u:object_r:usr_t:s0", "x".repeat(80)];
      const dirs = ["/"];
      const files: string[] = [];
      const lines: DumpLine[] = [root];
      for (let i = 0; i < 1500; i++) {
        const parent = pick(dirs);
        const path = `${parent === "/" ? "" : parent}/${text(1 + Math.floor(r() * 40), i)}${i}`;
        const xattrs = r() < 0.4
          ? Array.from({ length: 1 + Math.floor(r() * 3) }, (): [string, string] => [
            pick(keys),
            pick(values),
          ])
          : [];
        const common = {
          path,
          uid: r() < 0.1 ? 70000 : 0,
          gid: r() < 0.1 ? 5000000000 : 0,
          mtimeSec: r() < 0.2 ? 1700000000 : 0,
          mtimeNsec: r() < 0.1 ? 999 : 0,
          xattrs,
        };
        const kind = r();
        if (kind < 0.12) {
          lines.push({ ...common, size: 4096, mode: DIR });
          dirs.push(path);
        } else if (kind < 0.45) {
          const n = Math.floor(r() * 5001);
          lines.push({ ...common, size: n, mode: 0o100644, content: randomBytes(n, i) });
          files.push(path);
        } else if (kind < 0.7) {
          const size = pick([1n, 4096n, 123456789n, 1n << 32n, (1n << 43n) + 1n]);
          lines.push({ ...common, size, mode: 0o100755, payload: `${i % 256}/${i}`, digest: D1 });
          files.push(path);
        } else if (kind < 0.8) {
          const n = 1 + Math.floor(r() * 300);
          lines.push({ ...common, size: n, mode: LNK, payload: text(n, i) });
        } else if (kind < 0.85) {
          lines.push({ ...common, mode: 0o20644, rdev: r() < 0.5 ? 0 : 259 });
        } else if (kind < 0.9) {
          lines.push({ ...common, mode: pick([0o10644, 0o140755, 0o60600]), rdev: 0 });
        } else if (files.length > 0) {
          lines.push({ path, mode: 0o100644, hardlink: true, payload: pick(files) });
        }
      }
      return formatDump(lines);
    },
  };
}
