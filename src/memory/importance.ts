/**
 * How much an exchange deserves to be remembered, 0..1. A cheap heuristic on the player's
 * words: what they say about themselves (names, likes, facts) and what they ask outlasts
 * greetings and small talk; longer messages carry more.
 */
export function importanceOf(userText: string, aiText: string): number {
  const user = userText.normalize("NFKC").trim();
  const lower = user.toLowerCase();
  if (user === "") return aiText.trim() === "" ? 0 : BASE / 2;

  let score = BASE;
  // Characters, not words: Chinese has no spaces. 200 characters is a long chat message.
  score += 0.2 * Math.min(1, Array.from(user).length / 200);
  if (NAME.some((re) => re.test(lower))) score += 0.3;
  if (PREFERENCE.some((re) => re.test(lower))) score += 0.2;
  if (PERSONAL_FACT.some((re) => re.test(lower))) score += 0.1;
  if (QUESTION.some((re) => re.test(lower))) score += 0.1;
  if (SMALL_TALK.test(lower)) score -= 0.15;
  return Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000;
}

const BASE = 0.2;

const NAME = [
  /\bmy name(?:'s| is)\b/,
  /\bcall me\b/,
  /\bi(?:'m| am) called\b/,
  /我叫/,
  /我的名字/,
  /叫我/,
];

const PREFERENCE = [
  /\bi (?:really |do(?:n't| not) )?(?:like|love|hate|prefer|enjoy|dislike|can't stand)\b/,
  /\bmy fav(?:ou)?rite\b/,
  /我(?:很|最|真|不|特别)?(?:喜欢|爱|讨厌|偏爱|想要)/,
  /最爱/,
];

const PERSONAL_FACT = [
  /\bi(?:'m| am) (?:a|an|from|\d)/,
  /\bi (?:have|live|work|study|was born)\b/,
  /\bmy (?:\w+ )?(?:is|are|was)\b/,
  /我(?:是|有|住|在.{0,6}(?:工作|上学|读书))/,
  /我的/,
];

const QUESTION = [/[?？]/, /^(?:who|what|when|where|why|how|do|does|did|can|could|is|are)\b/, /[吗呢]$|什么|怎么|为什么|哪/];

const SMALL_TALK = /^(?:hi|hello|hey|ok|okay|thanks|thank you|bye|lol|你好|谢谢|好的|嗯|哈哈|再见)[\s!.。！~]*$/;
