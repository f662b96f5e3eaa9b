/**
 * `deno task compile`: native executables `dist/bin/mkcomposefs` and `dist/bin/composefs-info`
 * made by `deno compile`, with the same baked-in permissions as the bundles' shebang lines and
 * the worker modules included.
 *
 * `deno compile` downloads the Deno runtime for the target (`denort`) from dl.deno.land the
 * first time; where that host cannot be reached (our CI machines) it fails, so CI does not run
 * this task. Use `deno task bundle` there.
 *
 * Usage: `deno run --allow-read --allow-write --allow-run scripts/compile.ts [--out-dir DIR]`
 *
 * @module
 */
import { TARGETS, WORKERS } from "./bundle.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname);

/** Compiles every tool into `outDir`; returns the paths written. */
export async function compileAll(outDir: string): Promise<string[]> {
  await Deno.mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const t of TARGETS) {
    const output = `${outDir}/${t.name}`;
    // Only mkcomposefs starts workers; including them elsewhere would only add weight.
    const includes = t.name === "mkcomposefs" ? WORKERS.flatMap((w) => ["--include", w.entry]) : [];
    const args = ["compile", ...t.flags, ...includes, "--output", output, t.entry];
    console.error(`deno ${args.join(" ")}`);
    const out = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT }).output();
    if (!out.success) {
      throw new Error(`Cannot compile ${t.name}: deno compile exited with ${out.code}`);
    }
    written.push(output);
  }
  return written;
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--out-dir");
  const outDir = i >= 0 && Deno.args[i + 1] ? Deno.args[i + 1]! : `${ROOT}dist/bin`;
  try {
    for (const path of await compileAll(outDir)) console.log(path);
  } catch (e) {
    console.error(`compile: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
