/**
 * Frames carry the monotonic clock at which they were sent (microseconds since boot, as a
 * float64), readable in another process on the same machine.
 */
import { hrtime } from "node:process";

export const nowMicros = (): number => Number(hrtime.bigint() / 1000n);

export function stampFrame(bytes: number): Buffer {
  const frame = Buffer.alloc(Math.max(8, bytes), 7);
  frame.writeDoubleLE(nowMicros(), 0);
  return frame;
}

/** Milliseconds from the frame's stamp to now. */
export function frameAgeMs(frame: Buffer): number {
  return (nowMicros() - frame.readDoubleLE(0)) / 1000;
}
