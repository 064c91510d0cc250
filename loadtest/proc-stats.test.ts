import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commandCpuCounter, parseMachineBusyTicks, parseStatCpuTicks, parseStatusRssKb, parseStolenTicks, summarize } from "./proc-stats.ts";

test("reads the machine's busy ticks: everything but idle and iowait", () => {
  const stat = "cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\nintr 1\n";
  assert.equal(parseMachineBusyTicks(stat), 100 + 5 + 50 + 3 + 2 + 1);
  assert.throws(() => parseMachineBusyTicks("intr 1\n"));
});

test("reads the ticks the hypervisor took (steal)", () => {
  assert.equal(parseStolenTicks("cpu  100 5 50 1000 20 3 2 7 0 0\n"), 7);
  assert.throws(() => parseStolenTicks("cpu  100 5 50\n"));
});

test("adds up the CPU of the processes with a given command, through processes that come and go", () => {
  const proc = mkdtempSync(join(tmpdir(), "parley-proc-"));
  const setProcess = (pid: number, name: string, ticks: number): void => {
    mkdirSync(join(proc, String(pid)), { recursive: true });
    writeFileSync(join(proc, String(pid), "stat"), `${pid} (${name}) S 1 1 1 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 1 1 1`);
  };
  try {
    setProcess(10, "postgres", 100);
    setProcess(11, "node", 500);
    mkdirSync(join(proc, "self"));
    const read = commandCpuCounter(new Set(["postgres", "redis-server"]), proc);
    assert.equal(read(), 0, "ticks count from a process's first sighting");
    setProcess(10, "postgres", 130);
    setProcess(12, "redis-server", 40);
    setProcess(11, "node", 900);
    assert.equal(read(), 30);
    rmSync(join(proc, "10"), { recursive: true });
    setProcess(12, "redis-server", 45);
    setProcess(13, "postgres", 8);
    assert.equal(read(), 35, "a process that ended keeps what it used while seen");
    setProcess(13, "postgres", 10);
    assert.equal(read(), 37);
  } finally {
    rmSync(proc, { recursive: true, force: true });
  }
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
