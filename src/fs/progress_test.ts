import assert from "node:assert/strict";
import { fakeProgressSink } from "./_fake_progress_sink.ts";
import { formatBytes, formatSeconds, Progress } from "./progress.ts";

Deno.test("Progress draws nothing when stderr is not a terminal", () => {
  const sink = fakeProgressSink(false);
  const p = new Progress(true, sink);
  sink.t = 5000;
  p.addScanned(10);
  p.addHashed(1, 100);
  p.finish();
  assert.deepEqual(sink.out, []);
});

Deno.test("Progress waits a second, then draws at most every 200 ms and erases at the end", () => {
  const sink = fakeProgressSink(true);
  const p = new Progress(true, sink);
  sink.t = 500;
  p.addScanned(256);
  assert.equal(sink.out.length, 0);
  sink.t = 1000;
  p.setTotals(10, 10 << 20, true);
  p.addHashed(1, 1 << 20);
  assert.equal(sink.out.length, 1);
  sink.t = 2000;
  p.addHashed(4, 4 << 20);
  assert.equal(sink.out.length, 2);
  sink.t = 2100;
  p.addHashed(1, 1 << 20);
  assert.equal(sink.out.length, 2);
  assert.match(
    sink.out[1]!,
    /scanned 256 entries, hashed 5\/10 files, 5\.0 MiB\/10\.0 MiB, 5\.0 MiB\/s, 1s left/,
  );
  p.finish();
  assert.equal(sink.out.at(-1), "\r\x1b[K");
});

Deno.test("Progress marks totals that are still growing with +", () => {
  const sink = fakeProgressSink(true);
  const p = new Progress(true, sink);
  p.setTotals(3, 3000, false);
  assert.match(p.line(), /hashed 0\/3\+ files, 0 B\/2\.9 KiB\+/);
});

Deno.test("formatBytes() and formatSeconds() use binary units and m/s", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(5 * 1024 ** 3), "5.0 GiB");
  assert.equal(formatSeconds(42.4), "42s");
  assert.equal(formatSeconds(65), "1m05s");
});
