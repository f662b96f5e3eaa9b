/**
 * A progress sink for tests: records what is written, with a clock the test moves by hand.
 *
 * @module
 */
import type { ProgressSink } from "./progress.ts";

/** A sink that says it is (or is not) a terminal; `t` is the clock, `out` what was written. */
export function fakeProgressSink(terminal: boolean) {
  const sink = {
    t: 0,
    out: [] as string[],
    isTerminal: () => terminal,
    write(text: string) {
      sink.out.push(text);
    },
    now: () => sink.t,
  };
  return sink satisfies ProgressSink;
}
