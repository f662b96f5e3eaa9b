/**
 * What every benchmark against the C tool needs: running a command under GNU time, medians, and
 * comparing outputs.
 *
 * @module
 */

/** One measured run. */
export interface RunStats {
  wallS: number;
  cpuS: number;
  /** Peak RSS in KiB; NaN when GNU time is missing. */
  maxRssKiB: number;
}

/** The median (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Medians of each field over several runs. */
export function medianStats(runs: readonly RunStats[]): RunStats {
  return {
    wallS: median(runs.map((r) => r.wallS)),
    cpuS: median(runs.map((r) => r.cpuS)),
    maxRssKiB: median(runs.map((r) => r.maxRssKiB)),
  };
}

const TIME = "/usr/bin/time";
const hasGnuTime = await Deno.stat(TIME).then(() => true, () => false);

/** Runs `cmd` (stdout discarded) under GNU time when present; throws when it fails. */
export async function timed(
  cmd: readonly string[],
  env: Record<string, string> = {},
): Promise<RunStats> {
  const argv = hasGnuTime ? [TIME, "-f", "CFSBENCH %e %U %S %M", ...cmd] : [...cmd];
  const t0 = performance.now();
  const r = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const wallS = (performance.now() - t0) / 1000;
  const err = new TextDecoder().decode(r.stderr);
  if (!r.success) throw new Error(`${cmd.join(" ")} failed:\n${err}`);
  const line = err.split("\n").find((l) => l.startsWith("CFSBENCH "));
  if (line === undefined) return { wallS, cpuS: NaN, maxRssKiB: NaN };
  const [wall, user, sys, rss] = line.split(" ").slice(1).map(Number);
  return { wallS: wall!, cpuS: user! + sys!, maxRssKiB: rss! };
}

/** Whether two files hold the same bytes. */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = [await Deno.readFile(a), await Deno.readFile(b)];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
