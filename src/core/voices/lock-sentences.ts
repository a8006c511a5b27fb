// The sentence a locked voice is recorded saying (decision 0033): one per language the models speak, short
// enough to stay under the codec encoder's 10 s, with most of the language's sounds in it. English when the
// language is "auto" or one without a sentence of its own; `q3tts voices lock NAME --sentence …` gives another.

export const LOCK_SENTENCES: Record<string, string> = {
  english: 'The quick brown fox jumps over the lazy dog, while five wizards judge the boxing match with a smile.',
  chinese: '今天天气很好，我们一起去公园散步，看看湖边的花和树，听听小鸟唱歌。',
  japanese: '今日はとても良い天気なので、みんなで公園を散歩して、湖のそばの花を見ましょう。',
  korean: '오늘은 날씨가 참 좋아서, 친구들과 함께 공원을 걸으며 호숫가의 꽃을 구경했어요.',
  german: 'Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich, während die Sonne scheint.',
  french: 'Portez ce vieux whisky au juge blond qui fume, puis écoutez doucement la pluie tomber.',
  russian: 'Съешь же ещё этих мягких французских булок, да выпей чаю, пока светит солнце.',
  portuguese: 'Um pequeno jabuti xereta viu dez cegonhas felizes voando sobre a praia ao amanhecer.',
  spanish: 'El veloz murciélago hindú comía feliz cardillo y kiwi, mientras la cigüeña tocaba el saxofón.',
  italian: 'Quel vituperabile xenofobo zelante assaggia il whisky ed esclama felice: che bella giornata!',
};

export function lockSentence(language: string): string {
  return LOCK_SENTENCES[language.trim().toLowerCase()] ?? LOCK_SENTENCES.english!;
}
