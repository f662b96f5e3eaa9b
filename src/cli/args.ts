/**
 * Command-line parsing with GNU `getopt_long` semantics, which the C tools use and scripts rely
 * on: unique prefixes of long options (`--from`), `--opt=V` and `--opt V`, options after the
 * positional arguments, and `--` to end them. `node:util`'s `parseArgs` has no prefix matching,
 * hence this small parser.
 *
 * @module
 */

/** One long option: its full name and whether it takes a value. */
export interface LongOption {
  readonly name: string;
  readonly hasArg: boolean;
}

/** A parsed option occurrence, in command-line order. */
export interface ParsedOption {
  readonly name: string;
  readonly value: string | undefined;
}

/** Why parsing stopped, in getopt's terms. */
export type GetoptError =
  | { kind: "unknown"; option: string }
  | { kind: "ambiguous"; option: string }
  | { kind: "missing-value"; option: string }
  | { kind: "unexpected-value"; option: string }
  | { kind: "short"; option: string };

/** The result: options in order, positionals in order, or the first error. */
export interface GetoptResult {
  readonly options: ParsedOption[];
  readonly positionals: string[];
  readonly error: GetoptError | null;
}

function matchLong(name: string, longopts: readonly LongOption[]): LongOption | GetoptError {
  const exact = longopts.find((o) => o.name === name);
  if (exact) return exact;
  const candidates = longopts.filter((o) => o.name.startsWith(name));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) return { kind: "unknown", option: `--${name}` };
  return { kind: "ambiguous", option: `--${name}` };
}

/**
 * Parses `args` like `getopt_long(argc, argv, shortopts, longopts)` with permutation.
 * Short options are reported as errors: neither C tool has a short option that does anything.
 *
 * @example
 * ```ts
 * import { getoptLong } from "./args.ts";
 * import assert from "node:assert/strict";
 * const r = getoptLong(["--from", "in.dump", "--max-v", "1", "out"], [
 *   { name: "from-file", hasArg: false },
 *   { name: "max-version", hasArg: true },
 * ]);
 * assert.deepEqual(r.positionals, ["in.dump", "out"]);
 * assert.deepEqual(r.options[1], { name: "max-version", value: "1" });
 * ```
 */
export function getoptLong(args: readonly string[], longopts: readonly LongOption[]): GetoptResult {
  const options: ParsedOption[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const m = matchLong(name, longopts);
      if ("kind" in m) return { options, positionals, error: m };
      if (!m.hasArg) {
        if (eq >= 0) {
          return { options, positionals, error: { kind: "unexpected-value", option: m.name } };
        }
        options.push({ name: m.name, value: undefined });
      } else if (eq >= 0) {
        options.push({ name: m.name, value: arg.slice(eq + 1) });
      } else if (i + 1 < args.length) {
        options.push({ name: m.name, value: args[++i]! });
      } else {
        return { options, positionals, error: { kind: "missing-value", option: m.name } };
      }
    } else if (arg.startsWith("-") && arg.length > 1) {
      return { options, positionals, error: { kind: "short", option: arg } };
    } else {
      positionals.push(arg);
    }
  }
  return { options, positionals, error: null };
}

/**
 * C `strtol(s, &end, 10)` followed by a cast to `int`, as mkcomposefs reads numbers: leading
 * white space and a sign are accepted, the rest must be digits, overflow clamps to the `long`
 * range, and the cast keeps the low 32 bits. Returns null where C reports an invalid number.
 */
export function parseCInt(text: string): number | null {
  const m = /^[\t\n\v\f\r ]*([+-]?)(\d+)$/.exec(text);
  if (m === null) return null;
  let v = BigInt(m[2]!);
  if (m[1] === "-") v = -v;
  const LONG_MAX = (1n << 63n) - 1n;
  const LONG_MIN = -(1n << 63n);
  if (v > LONG_MAX) v = LONG_MAX;
  if (v < LONG_MIN) v = LONG_MIN;
  return Number(BigInt.asIntN(32, v));
}
