/**
 * Streamed tool calls, assembled: a model sends each call in fragments keyed by `index` (the id and
 * name in the first, the JSON arguments spread over the rest), several calls interleaved. Pure.
 */

/** One fragment of a streamed tool call, as OpenAI's `delta.tool_calls[]` and LangChain's `tool_call_chunks` carry it. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  name?: string;
  /** A piece of the JSON arguments text. */
  arguments?: string;
}

/** A whole call. `args` is set when the arguments text is a JSON object; `problem` says why not. */
export interface AssembledToolCall {
  index: number;
  id: string;
  name: string;
  argumentsText: string;
  args?: Record<string, unknown>;
  problem?: "malformed_arguments" | "missing_name";
}

/** Calls with the longest arguments text a model may send; a call past it is malformed. */
export const MAX_ARGUMENTS_CHARS = 8192;

export class ToolCallAssembler {
  readonly #calls = new Map<number, { id: string; name: string; args: string }>();

  get empty(): boolean {
    return this.#calls.size === 0;
  }

  push(fragments: readonly ToolCallDelta[]): void {
    for (const f of fragments) {
      let call = this.#calls.get(f.index);
      if (!call) {
        call = { id: "", name: "", args: "" };
        this.#calls.set(f.index, call);
      }
      if (f.id) call.id = f.id;
      if (f.name) call.name += call.name && call.name === f.name ? "" : f.name;
      if (f.arguments && call.args.length <= MAX_ARGUMENTS_CHARS) call.args += f.arguments;
    }
  }

  /** The calls in index order; ids are made up for calls the model sent without one. */
  finish(newId: (index: number) => string = (i) => `call_${i}`): AssembledToolCall[] {
    return [...this.#calls.entries()].sort(([a], [b]) => a - b).map(([index, c]) => {
      const call: AssembledToolCall = { index, id: c.id || newId(index), name: c.name, argumentsText: c.args };
      if (!c.name) return { ...call, problem: "missing_name" };
      const args = parseArguments(c.args);
      return args ? { ...call, args } : { ...call, problem: "malformed_arguments" };
    });
  }
}

/** Empty arguments are `{}` (some servers send none for a call without parameters). */
function parseArguments(text: string): Record<string, unknown> | undefined {
  if (text.length > MAX_ARGUMENTS_CHARS) return undefined;
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
