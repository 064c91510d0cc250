/**
 * Moderation benchmark: build cost of a 10,000-term matcher, per-token cost of the hold-back
 * filter over 100,000 streamed tokens, and how often the default list holds back the first
 * token of a typical reply. Run: node loadtest/moderation-bench.ts
 */
import { performance } from "node:perf_hooks";
import { BlocklistMatcher, DEFAULT_BLOCKLIST_PATH, createModeratedStream, foldText, loadBlocklist } from "../src/moderation/index.ts";

const TERMS = 10_000;
const TOKENS = 100_000;
const BATCH = 100;
const OPENINGS = 1_000;

let seed = 20240607;
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

const SYLLABLES = "ka ro mi th an el or us ve ix qu zo br st ne la gr um ph ai ow er tr ck".split(" ");
const HANZI = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切尔".split("");
const WORDS = "the sword shield dragon forest village traveler gold quest magic arrow potion tavern king castle river mountain night fire storm friend enemy path stone ancient hold your higher again well done keep steady watch careful brave strong swift silent battle training lesson guard gate north south east west trust honor blade armor".split(" ");

function englishTerm(): string {
  let s = "";
  while (s.length < 12) s += pick(SYLLABLES);
  return s.slice(0, int(4, 12));
}
function chineseTerm(): string {
  let s = "";
  for (let n = int(2, 4); n > 0; n--) s += pick(HANZI);
  return s;
}

/** Splits text the way LLM streams arrive: words with their leading space, 1-2 hanzi, punctuation. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const piece of text.match(/\s*[A-Za-z']+|\s*\d+|[\u4e00-\u9fff]+|\s*[^\sA-Za-z\d\u4e00-\u9fff]|\s+/g) ?? []) {
    if (/^[\u4e00-\u9fff]/.test(piece)) {
      for (let i = 0; i < piece.length; ) {
        const n = int(1, 2);
        tokens.push(piece.slice(i, i + n));
        i += n;
      }
    } else {
      for (let i = 0; i < piece.length; i += 6) tokens.push(piece.slice(i, i + 6));
    }
  }
  return tokens;
}

function mixedText(minTokens: number): string[] {
  const tokens: string[] = [];
  while (tokens.length < minTokens) {
    const sentence = rand() < 0.5
      ? Array.from({ length: int(4, 12) }, () => pick(WORDS)).join(" ") + pick([".", "!", "?"]) + " "
      : Array.from({ length: int(6, 20) }, () => pick(HANZI)).join("") + pick(["。", "！", "？", "，"]);
    tokens.push(...tokenize(sentence));
  }
  return tokens.slice(0, minTokens);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

foldText("warm"); // builds the shared fold table outside the measured build
const terms = new Set<string>();
while (terms.size < TERMS) terms.add(rand() < 0.6 ? englishTerm() : chineseTerm());
const t0 = performance.now();
const matcher = BlocklistMatcher.fromTerms(terms);
const buildMs = performance.now() - t0;

const tokens = mixedText(TOKENS);
const chars = tokens.reduce((n, t) => n + t.length, 0);

function streamAll(holdBack: boolean): { perToken: number[]; totalMs: number; hits: number; released: number } {
  const perToken: number[] = [];
  let hits = 0;
  let released = 0;
  let stream = createModeratedStream({ matcher, holdBack });
  const start = performance.now();
  for (let b = 0; b < tokens.length; b += BATCH) {
    const bStart = process.hrtime.bigint();
    const end = Math.min(tokens.length, b + BATCH);
    for (let i = b; i < end; i++) {
      const r = stream.push(tokens[i]!);
      released += r.release.length;
      if (r.hit) {
        hits++;
        stream = createModeratedStream({ matcher, holdBack }); // keep streaming after a hit
      }
    }
    perToken.push(Number(process.hrtime.bigint() - bStart) / (end - b));
  }
  released += stream.flush().length;
  return { perToken: perToken.sort((x, y) => x - y), totalMs: performance.now() - start, hits, released };
}

streamAll(true); // warm-up for the JIT
const rows: string[][] = [["filter", "ns/token p50", "p99", "mean", "tokens/s", "hits"]];
for (const holdBack of [true, false]) {
  const r = streamAll(holdBack);
  const mean = (r.totalMs * 1e6) / tokens.length;
  rows.push([
    holdBack ? "hold-back on" : "hold-back off",
    percentile(r.perToken, 0.5).toFixed(0),
    percentile(r.perToken, 0.99).toFixed(0),
    mean.toFixed(0),
    Math.round(tokens.length / (r.totalMs / 1000)).toLocaleString("en-US"),
    String(r.hits),
  ]);
}

const EN_OPENINGS = [
  "Hold your sword higher.", "Well done, traveler.", "Again! Faster this time.", "Keep your guard up.", "Ah, you have returned.",
  "Listen carefully.", "Not bad for a beginner.", "Good morning, friend.", "The dragon sleeps in the north.", "Welcome to the Rusty Anchor.",
  "Hmm, let me think.", "You want a quest?", "That blade is ancient.", "Stand your ground!", "I have no more potions.",
  "Watch your footwork.", "Careful, the bridge is weak.", "Yes, I remember you.", "No, that will not do.", "Follow me.",
  "Thank you for your help.", "What brings you here?", "Indeed, the king is worried.", "Try the bow instead.", "Excellent work!",
  "Patience, young one.", "Breathe, then strike.", "Come closer.", "Sorry, the shop is closed.", "Gold first, then answers.",
  "Really? That is surprising.", "Of course.", "Perhaps tomorrow.", "Remember what I taught you.", "Strike again!",
  "Do you hear that?", "Many have tried before you.", "Every warrior starts somewhere.", "Once more, with feeling.", "Quiet now.",
];
const ZH_OPENINGS = [
  "很好，再来一次。", "不错，继续保持。", "欢迎来到村庄。", "把剑举高一点。", "你回来了！", "小心脚下。", "我记得你。", "再试一次吧。",
  "勇士，你好。", "这把剑很古老。", "听我说。", "别着急。", "今天的训练到此为止。", "龙在北方的山里。", "需要药水吗？", "跟我来。",
  "谢谢你的帮助。", "你想接任务吗？", "国王很担心。", "稳住，别后退。", "呼吸，然后出击。", "好久不见！", "当然可以。", "也许明天吧。",
  "非常好！", "慢一点。", "注意防守。", "金币先付。", "嗯，让我想想。", "抱歉，商店关门了。", "真的吗？", "记住我教你的。",
  "再快一点！", "你听到了吗？", "每个战士都是这样开始的。", "安静。", "来吧，出招！", "做得好。", "这条路很危险。", "天黑了，快回去吧。",
];

const defaultTerms = await loadBlocklist(DEFAULT_BLOCKLIST_PATH);
const defaultMatcher = BlocklistMatcher.fromTerms(defaultTerms);
let firstHeld = 0;
let firstFullyHeld = 0;
let firstHeldChars = 0;
let tokensSeen = 0;
let tokensHeld = 0;
let blockedReplies = 0;
const heldExamples = new Map<string, number>();
for (let i = 0; i < OPENINGS; i++) {
  const reply = (i % 2 === 0 ? pick(EN_OPENINGS) + " " : pick(ZH_OPENINGS)) + mixedText(20).join("");
  const stream = createModeratedStream({ matcher: defaultMatcher, holdBack: true });
  tokenize(reply).forEach((token, k) => {
    if (stream.blocked) return;
    const r = stream.push(token);
    if (r.hit) blockedReplies++;
    tokensSeen++;
    if (stream.heldLength > 0) tokensHeld++;
    if (k > 0) return;
    const held = token.length - r.release.length;
    firstHeldChars += held;
    if (held > 0) {
      firstHeld++;
      heldExamples.set(token, (heldExamples.get(token) ?? 0) + 1);
    }
    if (r.release.length === 0) firstFullyHeld++;
  });
}

const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(1)}%`;
function table(body: string[][]): string {
  const widths = body[0]!.map((_, c) => Math.max(...body.map((r) => r[c]!.length)));
  return body.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

console.log(`matcher: ${matcher.size} terms built in ${buildMs.toFixed(1)} ms`);
console.log(`stream: ${tokens.length.toLocaleString("en-US")} tokens, ${chars.toLocaleString("en-US")} chars (per-token ns measured per ${BATCH}-token batch)`);
console.log(table(rows));
console.log(`\nhold-back with the default list (${defaultMatcher.size} terms), ${OPENINGS} replies (half English, half Chinese):`);
console.log(table([
  ["measure", "value"],
  ["first token held at all", pct(firstHeld, OPENINGS)],
  ["first token held entirely", pct(firstFullyHeld, OPENINGS)],
  ["mean chars held at first token", (firstHeldChars / OPENINGS).toFixed(2)],
  ["tokens leaving a held tail", pct(tokensHeld, tokensSeen)],
  ["replies blocked", String(blockedReplies)],
]));
const examples = [...heldExamples].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([t, n]) => `${JSON.stringify(t)}×${n}`);
if (examples.length > 0) console.log(`held first tokens: ${examples.join(" ")}`);
