/**
 * The facts the memory eval plants, each with the question that needs it later. Questions are
 * worded as a player would ask a week on, not copied from the fact: they share a topic word at
 * most ("sister", "过敏"), and a few share none ("job" for "work").
 */
export type Language = "en" | "zh";

export interface PlantedFact {
  id: string;
  language: Language;
  /** What the player said when the fact came up. */
  said: string;
  /** What the character answered. */
  answered: string;
  /** Asked in a later session; only this fact answers it. */
  question: string;
}

const en = (id: string, said: string, answered: string, question: string): PlantedFact => ({ id: `en-${id}`, language: "en", said, answered, question });
const zh = (id: string, said: string, answered: string, question: string): PlantedFact => ({ id: `zh-${id}`, language: "zh", said, answered, question });

export const FACTS: readonly PlantedFact[] = Object.freeze([
  en("sister", "My sister's name is Mei Ling, she's two years older.", "Mei Ling. I will remember.", "What is my sister called?"),
  en("dog", "My dog is called Biscuit and he chases gulls.", "Biscuit sounds like trouble.", "Do you remember my dog's name?"),
  en("hometown", "I grew up in Valparaiso, a port town in Chile.", "A sailor's childhood, then.", "Where did I grow up?"),
  en("food", "My favourite food is lamb stew with rosemary.", "A cook after my own heart.", "What food do I love most?"),
  en("compass", "I promised to bring you a silver compass from the market.", "I will hold you to it.", "What did I promise to bring you?"),
  en("friend", "My best friend is named Tobias, we met at school.", "Tobias is lucky to have you.", "Who is my best friend?"),
  en("allergy", "I'm allergic to peanuts, badly.", "No peanuts at my table, then.", "What am I allergic to?"),
  en("job", "I work nights as a nurse at the harbour hospital.", "Long nights, kind work.", "What's my job?"),
  en("birthday", "My birthday is on the ninth of March.", "The ninth of March, noted.", "When is my birthday?"),
  en("cello", "I play the cello in a small orchestra on Sundays.", "Deep strings for a deep soul.", "Which instrument do I play?"),
  en("colour", "My favourite colour is deep green, like pine needles.", "The colour of the forest.", "What's my favourite colour?"),
  en("sailboat", "I'm saving up to buy a sailboat I'll call Curlew.", "Curlew, a fine name for a boat.", "What am I saving my money for?"),
  en("bread", "My grandmother taught me to bake rye bread.", "A gift that lasts.", "Who taught me to bake?"),
  en("home", "I live in a flat above a bookshop on Elm Street.", "Quiet neighbours, I hope.", "Where do I live these days?"),
  en("spiders", "I'm terribly afraid of spiders.", "I will sweep the corners.", "What am I afraid of?"),
  en("horse", "My horse is named Thunderhoof.", "Thunderhoof! A mighty name.", "What's my horse's name?"),
  en("oslo", "I promised my brother I would visit him in Oslo at midsummer.", "Midsummer in Oslo, lovely.", "Where did I say I'd visit my brother?"),
  en("coriander", "I hate the taste of coriander, it's like soap to me.", "Then I will leave it out.", "Which herb do I hate?"),
  en("book", "My favourite book is The Left Hand of Darkness.", "A cold world, a warm story.", "Which book is my favourite?"),
  en("born", "I was born in 1994, during a snowstorm.", "A winter child.", "What year was I born?"),
  en("daughter", "My daughter Ines just started school.", "Ines will do well.", "What is my daughter's name?"),
  en("japanese", "I'm learning Japanese for a trip to Kyoto next spring.", "Ganbatte, as they say.", "Which language am I learning?"),
  en("coffee", "I drink my coffee black with no sugar.", "Strong and plain.", "How do I take my coffee?"),
  en("cat", "My cat Pepper sleeps on my keyboard all day.", "Pepper has taste.", "What's my cat called?"),
  en("shanty", "You promised to teach me the old sea shanty about the whale.", "And I will, next time.", "What song did you promise to teach me?"),

  zh("sister", "我妹妹叫小雨，比我小三岁。", "小雨，我记住了。", "我妹妹叫什么名字？"),
  zh("dog", "我的狗叫豆豆，特别爱叫。", "豆豆真可爱。", "你还记得我的狗叫什么吗？"),
  zh("hometown", "我在成都长大，小时候天天吃火锅。", "成都是个好地方。", "我是在哪里长大的？"),
  zh("food", "我最喜欢吃麻婆豆腐。", "又麻又辣，好吃。", "我最爱吃的菜是什么？"),
  zh("tea", "我答应下次给你带一盒龙井茶。", "那我等着。", "我答应给你带什么东西？"),
  zh("friend", "我最好的朋友叫阿杰，我们从小一起玩。", "阿杰是个好朋友。", "我最好的朋友是谁？"),
  zh("allergy", "我对海鲜过敏，一吃就起疹子。", "那以后不给你做海鲜。", "我对什么过敏？"),
  zh("job", "我的工作是在医院当护士，经常上夜班。", "护士很辛苦。", "我是做什么工作的？"),
  zh("birthday", "我的生日是十月二十号。", "十月二十号，记下了。", "我的生日是哪天？"),
  zh("guzheng", "我会弹古筝，已经练了八年。", "八年，真有毅力。", "我会弹什么乐器？"),
  zh("colour", "我最喜欢的颜色是天蓝色。", "像晴天一样。", "我最喜欢什么颜色？"),
  zh("motorbike", "我在攒钱买一辆摩托车。", "骑车要注意安全。", "我攒钱是想买什么？"),
  zh("dumplings", "我奶奶教我包饺子，她包得特别快。", "奶奶真厉害。", "是谁教我包饺子的？"),
  zh("home", "我住在杭州西湖边上。", "风景一定很美。", "我现在住在哪里？"),
  zh("thunder", "我特别怕打雷，晚上会睡不着。", "打雷的时候我陪你聊天。", "我害怕什么？"),
  zh("cat", "我的猫叫年糕，整天睡觉。", "年糕这个名字真好听。", "我的猫叫什么？"),
  zh("brother", "我答应我哥哥春节回西安看他。", "回家过年真好。", "我答应哥哥什么时候回去看他？"),
  zh("coriander", "我讨厌香菜的味道。", "那就不放香菜。", "我讨厌吃什么？"),
  zh("book", "我最喜欢的书是《红楼梦》。", "好书，百读不厌。", "我最喜欢哪本书？"),
  zh("born", "我是一九九八年出生的。", "那年发生了很多事。", "我是哪一年出生的？"),
  zh("son", "我儿子叫乐乐，今年五岁。", "乐乐一定很活泼。", "我儿子叫什么名字？"),
  zh("french", "我在学法语，明年想去巴黎。", "加油，巴黎很美。", "我在学哪种语言？"),
  zh("sugar", "我喝茶从来不加糖。", "原汁原味。", "我喝茶加不加糖？"),
  zh("jeep", "我开的是一辆红色的旧吉普。", "红色的吉普很显眼。", "我开的是什么车？"),
  zh("go", "你答应过要教我下围棋。", "下次一定教你。", "你答应教我什么？"),
]);
