"""Small synthetic support tickets in English and Chinese (no demo generator needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data import schema as S

TEMPLATES = {
    "refund": {
        "en": [
            "I want a refund for the {item}",
            "Please refund order {order}",
            "How long does my refund take for the {item}?",
            "Refund me for order {order} now",
        ],
        "zh": [
            "我要退款，订单{order}",
            "{item}不想要了，申请退款",
            "退款什么时候到账？",
            "请给我退款{item}",
        ],
    },
    "shipping_delay": {
        "en": [
            "My {item} has not arrived yet",
            "Where is my package? order {order} is late",
            "Delivery of the {item} is late again",
            "Shipping is taking forever for order {order}",
        ],
        "zh": [
            "快递太慢了，{item}还没到",
            "订单{order}物流好几天没更新",
            "{item}怎么还在路上？",
            "说好三天到，现在还没收到货",
        ],
    },
    "account_login": {
        "en": [
            "I can't log in to my account",
            "The password reset email never arrives",
            "My account got locked",
            "Login fails with wrong password",
        ],
        "zh": ["账号登录不了", "收不到重置密码的验证码", "账户被锁定了怎么办", "密码错误登录失败"],
    },
    "invoice": {
        "en": [
            "I need an invoice for order {order}",
            "Please send a VAT invoice for the {item}",
            "The company name on my invoice is wrong",
            "Where can I download the receipt?",
        ],
        "zh": ["订单{order}需要开发票", "请开增值税发票", "发票抬头写错了", "电子发票在哪里下载？"],
    },
}
ITEMS = {
    "en": ["kettle", "desk lamp", "phone case", "backpack"],
    "zh": ["水壶", "台灯", "手机壳", "背包"],
}
NEG = {"en": [" This is unacceptable!", " Really disappointed."], "zh": ["太失望了！", "差评！"]}
POS = {
    "en": [" Thanks so much, great service!", " Love it, thank you!"],
    "zh": ["谢谢，服务很好！", "非常满意！"],
}


def make_tickets(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    intents = list(TEMPLATES)
    rows = []
    for k in range(n):
        it = intents[k % len(intents)]
        lg = "zh" if rng.random() < 0.5 else "en"
        tpl = TEMPLATES[it][lg][rng.integers(0, 4)]
        text = tpl.format(
            item=ITEMS[lg][rng.integers(0, 4)], order=f"o{rng.integers(0, 10**8):08d}"
        )
        mood = "negative" if rng.random() < 0.4 else "positive" if rng.random() < 0.4 else "neutral"
        text += {"negative": NEG, "positive": POS}.get(mood, {lg: [""]})[lg][
            rng.integers(0, 2) if mood != "neutral" else 0
        ]
        rows.append(
            {
                S.TICKET_ID: f"t{k:04d}",
                S.TEXT: text,
                S.LANGUAGE: lg,
                S.INTENT: it,
                S.SENTIMENT: mood,
            }
        )
    df = pd.DataFrame(rows)
    df[S.TIMESTAMP] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n) * 6, unit="h")
    return df


@pytest.fixture(scope="session")
def tickets() -> pd.DataFrame:
    return make_tickets(240, seed=0)


@pytest.fixture(scope="session")
def kb() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                S.INTENT: "refund",
                S.LANGUAGE: "en",
                S.QUESTION: "How do I get a refund?",
                S.ANSWER: "Refunds for order {order_id} reach your card in 3-5 days.",
            },
            {
                S.INTENT: "refund",
                S.LANGUAGE: "zh",
                S.QUESTION: "怎么申请退款？",
                S.ANSWER: "订单{order_id}的退款3-5个工作日原路退回。",
            },
            {
                S.INTENT: "shipping_delay",
                S.LANGUAGE: "en",
                S.QUESTION: "My parcel is late",
                S.ANSWER: "Sorry for the wait: we open a carrier trace after 3 days without updates.",
            },
            {
                S.INTENT: "shipping_delay",
                S.LANGUAGE: "zh",
                S.QUESTION: "快递一直没到",
                S.ANSWER: "抱歉久等，物流3天未更新我们会联系快递核查。",
            },
            {
                S.INTENT: "account_login",
                S.LANGUAGE: "en",
                S.QUESTION: "I can't log in",
                S.ANSWER: "Use 'Forgot password' on the sign-in page; locked accounts unlock after 1 hour.",
            },
            {
                S.INTENT: "account_login",
                S.LANGUAGE: "zh",
                S.QUESTION: "账号登录不了",
                S.ANSWER: "请点击“忘记密码”重置，账户锁定1小时后自动解锁。",
            },
            {
                S.INTENT: "invoice",
                S.LANGUAGE: "en",
                S.QUESTION: "How do I get an invoice?",
                S.ANSWER: "Download the invoice under My Orders > Invoice.",
            },
            {
                S.INTENT: "invoice",
                S.LANGUAGE: "zh",
                S.QUESTION: "怎么开发票？",
                S.ANSWER: "可在“我的订单 > 发票”下载电子发票。",
            },
        ]
    )


@pytest.fixture(scope="session")
def reviews() -> tuple[list[str], list[str]]:
    """120 short English reviews, 'pos'/'neg', for the sentiment stacks."""
    pos = ["great product, love it", "works well, very happy", "excellent quality", "happy with it"]
    neg = ["broke after a day", "terrible quality", "very disappointed, returned it", "awful"]
    X = [f"{t} {i}" for i in range(15) for t in pos + neg]
    y = ["pos" if t in pos else "neg" for i in range(15) for t in pos + neg]
    return X, y
