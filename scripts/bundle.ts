/**
 * `deno task bundle`: writes `dist/mkcomposefs`, `dist/composefs-info` and
 * `dist/mount.composefs`, each one self-contained JavaScript file that runs with `deno` alone. The first line is a
 * `#!/usr/bin/env -S deno run …` with the least permissions that serve every mode of the tool;
 * at run time the tool narrows further to what the chosen mode needs.
 *
 * `deno bundle` (esbuild, fetched once from the npm registry and then cached) inlines every
 * module, dynamic imports included, but leaves a worker's `new URL("./x.ts", import.meta.url)`
 * pointing at a file that is not there. So each worker is bundled on its own and its URL is
 * replaced by a `data:` URL holding that bundle: the worker then needs no file, and no read
 * permission, to start.
 *
 * Usage: `deno run --allow-read --allow-write --allow-run scripts/bundle.ts [--out-dir DIR]`
 *
 * @module
 */

/** One tool to bundle. */
export interface BundleTarget {
  /** File name in the output folder. */
  name: string;
  /** Entry module, relative to the repository root. */
  entry: string;
  /** The `deno run` flags of the shebang line. */
  flags: string[];
}

/** The tools and their shebang permissions (README, "Permissions"). */
export const TARGETS: readonly BundleTarget[] = [
  {
    name: "mkcomposefs",
    entry: "cli.ts",
    flags: [
      // A small young generation: the tree is long-lived, so copying it between semi-spaces is
      // wasted work; 2 MiB measured faster and about 20% less peak memory than the default
      // (bench/mkcomposefs_dump.ts), 1 MiB another 5% less on directories (bench/dir_bench.ts).
      "--v8-flags=--max-semi-space-size=1",
      "--no-prompt",
      "--allow-read",
      "--allow-write",
      "--allow-ffi",
      "--allow-env=CFS_PARSE_STRICT",
    ],
  },
  {
    name: "composefs-info",
    entry: "src/cli/composefs_info.ts",
    flags: ["--v8-flags=--max-semi-space-size=2", "--no-prompt", "--allow-read"],
  },
  {
    name: "mount.composefs",
    entry: "src/cli/mount_composefs.ts",
    // Every mount step goes through libc (FFI), so no read permission; Deno itself only makes
    // and removes the temporary EROFS mount point, `/tmp/.composefs.*` as in C.
    flags: ["--no-prompt", "--allow-write=/tmp", "--allow-ffi", "--allow-env=CFS_MOUNT_FORCE"],
  },
];

/** Workers the tools start: the `new URL(...)` text in the bundle and the worker's module. */
export const WORKERS: readonly { specifier: string; entry: string }[] = [
  { specifier: "./digest_worker.ts", entry: "src/fs/digest_worker.ts" },
  { specifier: "./store_worker.ts", entry: "src/store/store_worker.ts" },
];

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

/** Runs `deno bundle` on `entry` and returns the JavaScript text. */
async function denoBundle(entry: string, outFile: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform=deno", "--output", outFile, entry],
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`Cannot bundle ${entry}: deno bundle exited with ${out.code}`);
  const text = await Deno.readTextFile(outFile);
  await Deno.remove(outFile);
  return text;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Replaces each worker URL in `code` by a `data:` URL of the bundled worker. */
async function inlineWorkers(code: string, tmpFile: string): Promise<string> {
  for (const w of WORKERS) {
    const pattern = new RegExp(
      `new URL\\(\\s*["']${escapeRegExp(w.specifier)}["']\\s*,\\s*import\\.meta\\.url\\s*\\)`,
      "g",
    );
    if (!pattern.test(code)) continue;
    const worker = await denoBundle(w.entry, tmpFile);
    const bytes = new TextEncoder().encode(worker.replace(/^#!.*\n/, ""));
    const url = `data:text/javascript;base64,${base64(bytes)}`;
    code = code.replace(pattern, () => JSON.stringify(url));
  }
  const left = /new URL\(\s*["'][^"']+["']\s*,\s*import\.meta\.url\s*\)/.exec(code);
  if (left !== null) {
    throw new Error(`Cannot bundle: ${left[0]} refers to a file beside the bundle`);
  }
  return code;
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** Bundles one target into `outDir`; returns the path written. */
export async function bundleTarget(target: BundleTarget, outDir: string): Promise<string> {
  const path = `${outDir}/${target.name}`;
  const tmp = `${outDir}/.${target.name}.tmp.js`;
  let code = await denoBundle(target.entry, tmp);
  code = await inlineWorkers(code, `${outDir}/.${target.name}.worker.tmp.js`);
  const shebang = `#!/usr/bin/env -S deno run ${target.flags.join(" ")}\n`;
  await Deno.writeTextFile(path, shebang + code.replace(/^#!.*\n/, ""), { mode: 0o755 });
  await Deno.chmod(path, 0o755);
  return path;
}

/** Bundles every target into `outDir` (created if missing). */
export async function bundleAll(outDir: string): Promise<string[]> {
  await Deno.mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const t of TARGETS) {
    try {
      await Deno.stat(`${ROOT}${t.entry}`);
    } catch {
      console.error(`bundle: skipping ${t.name}: ${t.entry} does not exist yet`);
      continue;
    }
    written.push(await bundleTarget(t, outDir));
  }
  return written;
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--out-dir");
  const outDir = i >= 0 && Deno.args[i + 1] ? Deno.args[i + 1]! : `${ROOT}dist`;
  for (const path of await bundleAll(outDir)) console.log(path);
}
