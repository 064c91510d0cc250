import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMachineBusyTicks, parseStatCpuTicks, parseStatusRssKb, summarize } from "./proc-stats.ts";

test("reads the machine's busy ticks: everything but idle and iowait", () => {
  const stat = "cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\nintr 1\n";
  assert.equal(parseMachineBusyTicks(stat), 100 + 5 + 50 + 3 + 2 + 1);
  assert.throws(() => parseMachineBusyTicks("intr 1\n"));
});

test("reads utime + stime past a command name holding spaces and parentheses", () => {
  const stat = "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 3000 0 0 0 120 35 0 0 20 0 11 0 100 1000000 5000";
  assert.equal(parseStatCpuTicks(stat), 155);
});

test("reads VmRSS from a status file", () => {
  assert.equal(parseStatusRssKb("Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t  123456 kB\nThreads:\t11\n"), 123456);
  assert.throws(() => parseStatusRssKb("Name:\tnode\n"));
});

test("summarizes CPU as a share of one core and memory over the window only", () => {
  const mb = 1024;
  const samples = [
    { at: 0, cpuTicks: 0, rssKb: 10 * mb },
    { at: 1000, cpuTicks: 50, rssKb: 100 * mb },
    { at: 3000, cpuTicks: 350, rssKb: 200 * mb },
    { at: 9000, cpuTicks: 9999, rssKb: 900 * mb },
  ];
  assert.deepEqual(summarize(samples, 1000, 3000, 100), { cpuPercent: 150, rssMeanMb: 150, rssMaxMb: 200 });
  assert.equal(summarize(samples, 5000, 6000, 100), null);
});
