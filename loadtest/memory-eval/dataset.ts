/**
 * The memory eval's data, generated: one player's earlier sessions with the planted facts among
 * unrelated exchanges, and the questions of a later session. The same seed gives the same data in
 * every run and process, so figures from two runs compare.
 */
import { exchangeText } from "../../src/memory/exchange-text.ts";
import { importanceOf } from "../../src/memory/importance.ts";
import type { MemoryEntry } from "../../src/memory/long-term-memory.ts";
import { mulberry32 as seededRandom } from "../sim-openai/reply-text.ts";
import { FACTS, type Language, type PlantedFact } from "./facts.ts";

export const EVAL_USER = "eval-player";
export const EVAL_CHARACTER = "eval-character";
const DAY_MS = 24 * 60 * 60 * 1000;
/** Earlier sessions span this many days before the question session. */
const HISTORY_DAYS = 30;
const SESSIONS = 20;

export interface EvalQuestion {
  fact: PlantedFact;
  /** The memory content that answers it. */
  answer: string;
}

export interface EvalDataset {
  memories: MemoryEntry[];
  questions: EvalQuestion[];
  /** The question session's time: recency is measured from here. */
  now: Date;
}


const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

// Unrelated talk of a game: quests, trade, places, weather. It reuses the words questions use
// ("name", "favourite", "promise", "喜欢", "名字") about other things, as real talk does.
const EN = {
  place: ["tavern", "old mill", "harbour gate", "watchtower", "market square", "chapel", "ferry dock", "mine", "orchard", "bridge", "library", "barracks"],
  thing: ["lantern", "wagon", "banner", "raven", "statue", "bell", "fountain", "signpost", "smoke", "boat", "stranger", "map"],
  item: ["sword", "shield", "rope", "lockpick", "helmet", "potion", "torch", "boots", "bow", "cloak", "dagger", "amulet"],
  adj: ["quiet", "busy", "cold", "crowded", "strange", "dusty", "loud", "dark", "windy", "lovely", "gloomy", "bright"],
  time: ["dawn", "noon", "dusk", "midnight", "sunrise", "supper"],
  townName: ["Brindle Hollow", "Ashford", "Greywater", "Stonemere", "Kettle Cross", "Larkspur"],
};
const EN_TEMPLATES: Array<(r: () => number) => [string, string]> = [
  (r) => [`Did you see the ${pick(r, EN.thing)} near the ${pick(r, EN.place)}?`, `Only once, at ${pick(r, EN.time)}.`],
  (r) => [`How much for the ${pick(r, EN.item)}?`, `${2 + Math.floor(r() * 90)} gold, and not a coin less.`],
  (r) => [`Tell me about the ${pick(r, EN.place)}.`, `It is ${pick(r, EN.adj)} this time of year.`],
  (r) => [`I found a ${pick(r, EN.item)} in the ${pick(r, EN.place)}.`, `Keep it, it may be useful.`],
  (r) => [`What is the name of this ${pick(r, EN.place)}?`, `Folk call it ${pick(r, EN.townName)}.`],
  (r) => [`The weather is ${pick(r, EN.adj)} today.`, `Good day for the ${pick(r, EN.place)}.`],
  (r) => [`Let's meet at the ${pick(r, EN.place)} at ${pick(r, EN.time)}.`, `I will bring a ${pick(r, EN.item)}.`],
  (r) => [`Which ${pick(r, EN.item)} is your favourite?`, `The ${pick(r, EN.adj)} one by the ${pick(r, EN.place)}.`],
  (r) => [`Can you repair my ${pick(r, EN.item)}?`, `Come back at ${pick(r, EN.time)}.`],
  (r) => [`You promised to show me the ${pick(r, EN.place)}.`, `Tomorrow at ${pick(r, EN.time)}, then.`],
  (r) => [`Who guards the ${pick(r, EN.place)}?`, `A ${pick(r, EN.adj)} old soldier with a ${pick(r, EN.item)}.`],
  (r) => [`I sold my ${pick(r, EN.item)} for ${2 + Math.floor(r() * 90)} gold.`, `A fair trade.`],
];

const ZH = {
  place: ["酒馆", "磨坊", "码头", "城门", "集市", "钟楼", "矿洞", "果园", "石桥", "兵营", "药铺", "渡口"],
  thing: ["灯笼", "马车", "旗子", "乌鸦", "雕像", "铜钟", "喷泉", "路牌", "烟雾", "小船", "陌生人", "地图"],
  item: ["长剑", "盾牌", "绳子", "头盔", "药水", "火把", "靴子", "弓箭", "斗篷", "匕首", "护身符", "钥匙"],
  adj: ["安静", "热闹", "冷清", "拥挤", "奇怪", "昏暗", "吵闹", "明亮"],
  time: ["清晨", "中午", "傍晚", "半夜", "日出", "晚饭后"],
  townName: ["青石镇", "白水村", "落霞城", "松风岭", "柳溪", "云台"],
};
const ZH_TEMPLATES: Array<(r: () => number) => [string, string]> = [
  (r) => [`${pick(r, ZH.place)}那边的${pick(r, ZH.thing)}是怎么回事？`, `${pick(r, ZH.time)}才会出现。`],
  (r) => [`这把${pick(r, ZH.item)}多少钱？`, `${2 + Math.floor(r() * 90)}个金币，不讲价。`],
  (r) => [`给我讲讲${pick(r, ZH.place)}吧。`, `这个季节那里很${pick(r, ZH.adj)}。`],
  (r) => [`我在${pick(r, ZH.place)}捡到一个${pick(r, ZH.item)}。`, `留着吧，说不定有用。`],
  (r) => [`这个${pick(r, ZH.place)}叫什么名字？`, `大家都叫它${pick(r, ZH.townName)}。`],
  (r) => [`今天的${pick(r, ZH.place)}好${pick(r, ZH.adj)}。`, `适合出去走走。`],
  (r) => [`我们${pick(r, ZH.time)}在${pick(r, ZH.place)}见面吧。`, `好，我带上${pick(r, ZH.item)}。`],
  (r) => [`你最喜欢哪把${pick(r, ZH.item)}？`, `${pick(r, ZH.place)}买的那把。`],
  (r) => [`能帮我修一下${pick(r, ZH.item)}吗？`, `${pick(r, ZH.time)}来取。`],
  (r) => [`你答应过带我去${pick(r, ZH.place)}。`, `明天${pick(r, ZH.time)}就去。`],
  (r) => [`谁在守${pick(r, ZH.place)}？`, `一个拿着${pick(r, ZH.item)}的老兵。`],
];

/** `count` unrelated exchanges, about 60% English; unique as far as the templates allow. */
export function unrelatedExchanges(count: number, seed = 1): Array<{ said: string; answered: string; language: Language }> {
  const random = seededRandom(seed);
  const seen = new Set<string>();
  const out: Array<{ said: string; answered: string; language: Language }> = [];
  let attempts = 0;
  while (out.length < count) {
    const language: Language = random() < 0.6 ? "en" : "zh";
    const [said, answered] = pick(random, language === "en" ? EN_TEMPLATES : ZH_TEMPLATES)(random);
    const key = `${said}|${answered}`;
    // Past what the templates can make unique (the latency sizes), repeats are allowed.
    if (seen.has(key) && ++attempts < count * 20) continue;
    seen.add(key);
    out.push({ said, answered, language });
  }
  return out;
}

/**
 * The planted facts among `unrelated` other memories of one player and character, spread over
 * earlier sessions, and the 50 questions of a new session.
 */
export function evalDataset(options: { unrelated: number; seed?: number; now?: Date }): EvalDataset {
  const now = options.now ?? new Date("2026-12-01T12:00:00Z");
  const random = seededRandom((options.seed ?? 1) * 7919);
  const facts = FACTS.map((fact) => ({ ...fact, planted: true }));
  const others = unrelatedExchanges(options.unrelated, options.seed).map((o, i) => ({ ...o, id: `other-${i}`, question: "", planted: false }));
  const all = [...facts, ...others];
  // Deterministic shuffle, then in time order across the sessions: facts land anywhere.
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const start = now.getTime() - HISTORY_DAYS * DAY_MS;
  const step = (HISTORY_DAYS - 1) * DAY_MS / all.length;
  const memories = all.map((m, i): MemoryEntry => ({
    user_id: EVAL_USER,
    character_id: EVAL_CHARACTER,
    session_id: `eval-session-${Math.floor((i * SESSIONS) / all.length)}`,
    content: exchangeText(m.said, m.answered),
    importance: importanceOf(m.said, m.answered),
    created_at: new Date(start + i * step),
  }));
  const questions = FACTS.map((fact) => ({ fact, answer: exchangeText(fact.said, fact.answered) }));
  return { memories, questions, now };
}
