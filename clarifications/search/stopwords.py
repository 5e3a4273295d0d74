"""Words that carry (almost) no meaning of their own, in English and Chinese: STOP_WEIGHT each.

A rumor is told in content words ("vaccines", "microchips", 地铁, 停运); the function words around
them ("never", "again", "will", "have", "on"; 我们, 已经, 的) say little about which rumor it is.
BM25's IDF already makes the commonest of them cheap, but in an archive of short claims "never" or
"again" is rare enough to outweigh two shared rare words (seen on the CLEF-2020 tweets), so a query
weighs them by STOP_WEIGHT: not zero, so that a text of nothing else (the band "The Who") still finds
what holds its words, in the same order as before.

English stop words are matched on the case-folded word before stemming (so "was" and "has" are
stop words, "wa" and "ha" are not words at all). Chinese is indexed as character bigrams: a stop
"word" here is a bigram that is itself a function word (我们, 已经, 可以) or two particles (了吗).
"""

from functools import lru_cache

STOP_WEIGHT = 0.05
# Forwarding chatter: the words a forward adds around a rumor ("FWD", "please share", 转发, 扩散).
CHATTER_WEIGHT = 0.3


def _words(text):
    return frozenset(text.split())


# NLTK's English list (as the CheckThat! systems used), the contractions written without their
# apostrophe as people type them, and a few more function words of posts.
ENGLISH = _words(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is are
    was were be been being have has had having do does did doing a an the and but if or because as until while of
    at by for with about against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each few more most other
    some such no nor not only own same so than too very s t can will just don should now d ll m o re ve y ain
    aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn
    would could shall might must also yet ever never even still really u ur im ive id youre youve youll
    theyre weve dont cant wont didnt doesnt isnt arent wasnt werent hasnt havent hadnt shouldnt wouldnt couldnt
    thats theres whats lets got get gets going gonna wanna via amp etc
    """
)
# Written in capitals these are names, not pronouns: US (the country), WHO (the organisation).
ENGLISH_NAMES_IN_CAPITALS = frozenset({"US", "WHO"})

CHINESE = _words(
    """
    我们 你们 他们 她们 它们 咱们 大家 自己 这个 那个 一个 这些 那些 这样 那样 这么 那么 这里 那里 什么 怎么
    怎样 没有 已经 就是 还是 但是 可是 因为 所以 如果 虽然 而且 或者 以及 然后 不是 也是 都是 还有 只是
    其实 真的 可能 应该 一下 一些 一样 为了 关于 对于 通过 进行 其中 之后 之前 以后 以前 时候 现在 今天 一定
    非常 特别 比较 还要 就要 要是 不过 而是 并且 于是 并不 不会 不能 可以 能够 需要 一直 一起 的话 有的 有人
    这是 那是 就会 也会 都会 还会 说是 听说 据说 知道 觉得 认为 是否 是不 不要 大概 一般 之一 所有 任何
    """
)
# Particles: two of them side by side (了吗, 的了) make no word. A particle beside a content character
# (上班的, 注意了) is left to its IDF: such pairs also say which words stand together, and in a long
# forward weighing them as stop words lost quoted claims to others of the same template.
CHINESE_PARTICLES = frozenset("的了吗呢吧啊呀嘛哦")


CHATTER_WORDS = _words(
    """rt fwd fw pls plz please share shared sharing retweet repost forward forwarded copy paste breaking urgent
    viral lol omg wow smh cc"""
)
# 紧急通知, 请转发给 (你的朋友): a forward's preamble and its call to pass it on.
CHATTER_BIGRAMS = _words(
    "转发 扩散 转给 转告 请转 发给 收到 回复 群友 亲朋 朋好 好友 朋友 功德 无量 速看 必看 赶紧 刷屏 紧急 急通 通知"
)


def is_stop_word(word):
    """True for an English function word (the word as written, before stemming)."""
    return word not in ENGLISH_NAMES_IN_CAPITALS and word.casefold() in ENGLISH


@lru_cache(maxsize=65_536)
def word_weight(word):
    """What an English word (as written) weighs: STOP_WEIGHT, CHATTER_WEIGHT or 1."""
    if is_stop_word(word):
        return STOP_WEIGHT
    return CHATTER_WEIGHT if word.casefold() in CHATTER_WORDS else 1.0


@lru_cache(maxsize=65_536)
def bigram_weight(bigram):
    """What a Chinese bigram weighs: STOP_WEIGHT, CHATTER_WEIGHT or 1."""
    if is_stop_bigram(bigram):
        return STOP_WEIGHT
    return CHATTER_WEIGHT if bigram in CHATTER_BIGRAMS else 1.0


def holds_particle(term):
    """True for a Chinese bigram holding a particle (的朋, 了吗): a word's edge, not a word."""
    return len(term) == 2 and any(char in CHINESE_PARTICLES for char in term)


def is_stop_bigram(bigram):
    """True for a Chinese bigram that is a function word or a particle with its neighbour."""
    return bigram in CHINESE or all(char in CHINESE_PARTICLES for char in bigram)
