export { foldCode, foldText } from "./fold.ts";
export { BlocklistMatcher, BlocklistScanner } from "./matcher.ts";
export type { Hit, ScanResult } from "./matcher.ts";
export { createModeratedStream } from "./moderated-stream.ts";
export type { ModeratedPush, ModeratedStream, ModeratedStreamOptions } from "./moderated-stream.ts";
export { DEFAULT_BLOCKLIST_PATH, loadBlocklist, parseBlocklist } from "./blocklist.ts";
