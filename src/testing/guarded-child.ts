/** A child process for the process guard's test: it throws and rejects, then says whether it is still alive. */
import { installProcessGuard } from "../ops/process-guard.ts";

const counted: string[] = [];
const logged: string[] = [];
if (process.argv[2] !== "unguarded") {
  installProcessGuard({ log: { error: (_obj: unknown, msg?: string) => { logged.push(String(msg)); } } as never, countUnexpected: (w) => counted.push(w) });
}
setTimeout(() => { throw new Error("a bug in a timer"); }, 0);
void Promise.reject(new Error("a rejection nobody handles"));
setTimeout(() => {
  process.stdout.write(JSON.stringify({ alive: true, counted, logged }));
}, 50);
