/**
 * A start that cannot go on because of how Parley is configured or what it found: the message is
 * one line that says what to do, printed as it is, without a stack.
 */
export class StartupError extends Error {
  override readonly name = "StartupError";
}
