"""A small bilingual sentiment lexicon for the rule-based baseline (customer-service words).

Weights are in ``[-3, 3]`` like VADER's; negators flip the next sentiment word within three
tokens, intensifiers scale it. The lists are short on purpose: the baseline shows what a
lexicon gets without training, the trained models are the ones to use.
"""

from __future__ import annotations

_EN_POS = """good 2 great 3 excellent 3 love 3 loved 3 like 1.5 nice 2 happy 2.5 thanks 1.5 thank 1.5
perfect 3 awesome 3 amazing 3 best 3 fast 1.5 quick 1.5 helpful 2 easy 1.5 recommend 2
satisfied 2 works 1 fine 1 fantastic 3 wonderful 3 pleased 2 appreciate 2 glad 2 solid 1.5
reliable 2 beautiful 2.5 comfortable 2 worth 1.5 impressed 2.5 superb 3 enjoy 2 enjoyed 2
favorite 2 smooth 1.5 sturdy 1.5 fun 2 cool 1.5 well 1 better 1.5 resolved 1.5 friendly 2"""
_EN_NEG = """bad 2.5 terrible 3 awful 3 worst 3 hate 3 broken 2.5 broke 2 poor 2.5 angry 3
disappointed 2.5 disappointing 2.5 unacceptable 3 late 1.5 slow 1.5 useless 3 waste 3 wrong 2
problem 1.5 problems 1.5 issue 1 defective 3 damaged 2.5 refund 1 cheap 1.5 junk 3 horrible 3
fail 2 failed 2 fails 2 never 1 annoying 2.5 frustrating 2.5 frustrated 2.5 rude 3 scam 3
return 0.5 returned 1.5 stopped 1.5 crap 3 garbage 3 mess 2 noisy 1.5 flimsy 2 overpriced 2
difficult 1.5 hard 1 doesn't 1 didn't 1 not 0.5 ruined 3 complaint 2 lost 1.5 missing 1.5"""
_ZH_POS = """好 1.5 很好 2.5 不错 2 满意 2.5 喜欢 2.5 推荐 2 谢谢 1.5 感谢 2 点赞 2.5 棒 2.5 赞 2
快 1 及时 1.5 耐心 2 划算 2 实惠 2 舒服 2 漂亮 2 完美 3 值得 2 超值 2.5 给力 2.5 好用 2.5
方便 1.5 干净 1.5 清晰 1.5 流畅 2 热情 2 周到 2 专业 1.5 优秀 2.5 靠谱 2 辛苦 1 五星 3
好评 3 物美价廉 3 性价比高 2.5 挺好 2 非常好 3 很快 1.5 解决 1"""
_ZH_NEG = """差 2.5 很差 3 太差 3 失望 2.5 垃圾 3 坏 2 坏了 2.5 破 1.5 慢 1.5 太慢 2 生气 3 投诉 2.5
差评 3 退款 1 退货 1 问题 1.5 故障 2.5 破损 2.5 不行 2 难用 2.5 糟糕 3 烂 3 骗 3 假货 3 气愤 3
后悔 2.5 恶心 3 不满 2.5 不满意 3 没用 2 很麻烦 2 太麻烦 2.5 好麻烦 2 贵 1.5 坑 2.5 吵 1.5 死机 2.5 发热 1
卡顿 2 卡死 2.5 很卡 2 太卡 2.5 好卡 2 有点卡 1.5
不好 2.5 一般 1 郁闷 2 无语 2 破服务 3 不能用 2.5 用不了 2 错误 1.5 失败 1.5 重复扣款 2 漏发 2"""

NEGATORS_EN = frozenset(
    [
        "not",
        "no",
        "never",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "aren't",
        "won't",
        "can't",
        "cannot",
    ]
)
NEGATORS_ZH = frozenset(["不", "没", "没有", "别", "无", "未", "不是", "并不", "不太"])
BOOST_EN = {"very": 1.3, "really": 1.3, "so": 1.2, "extremely": 1.5, "too": 1.2, "super": 1.4}
BOOST_ZH = {"很": 1.3, "非常": 1.5, "太": 1.4, "特别": 1.4, "超": 1.4, "真": 1.2, "十分": 1.4}


def _parse(block: str, sign: float) -> dict[str, float]:
    toks = block.split()
    return {w: sign * float(v) for w, v in zip(toks[::2], toks[1::2], strict=True)}


LEXICON_EN: dict[str, float] = {**_parse(_EN_POS, 1.0), **_parse(_EN_NEG, -1.0)}
LEXICON_ZH: dict[str, float] = {**_parse(_ZH_POS, 1.0), **_parse(_ZH_NEG, -1.0)}
