"""Phrasebook of the demo's support tickets and knowledge base, in English and Chinese.

Each intent has several templates per language; slots (``{item}``, ``{order}``, ...) are
filled from the demo's own items and orders, and the ticket generator adds greetings,
sentiment cues, typos and, in some tickets, personal data for the redaction step.
"""

from __future__ import annotations

INTENTS = ("order_status", "shipping_delay", "refund", "return_exchange", "product_defect",
           "account_login", "payment", "promo_coupon", "cancel_order", "invoice")  # fmt: skip
INTENT_P = (0.18, 0.14, 0.10, 0.10, 0.08, 0.10, 0.09, 0.08, 0.07, 0.06)
P_NEGATIVE = (0.25, 0.6, 0.55, 0.35, 0.7, 0.35, 0.5, 0.35, 0.3, 0.15)
RESOLVE_HOURS = (5, 20, 40, 30, 30, 3, 12, 6, 4, 10)

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "order_status": {
        "en": ("Can you tell me the status of order {order}?", "Has my {item} shipped yet? Order {order}.",
               "I placed an order yesterday and want to check where it is.", "What's the tracking number for order {order}?"),
        "zh": ("请问订单{order}发货了吗？", "帮我查一下{item}的订单状态。", "我的订单{order}现在到哪一步了？",
               "下单后一直显示待发货，能查一下吗？"),
    },
    "shipping_delay": {
        "en": ("My order {order} has not arrived yet, it's been {days} days.",
               "Where is my package? The {item} was supposed to arrive {days} days ago.",
               "Shipping is taking forever, order {order} still says in transit.", "Delivery of my {item} is late again."),
        "zh": ("订单{order}已经{days}天了还没到货。", "快递太慢了，我的{item}怎么还在路上？",
               "物流信息{days}天没更新了，订单号{order}。", "说好的三天到，现在{days}天了{item}还没收到。"),
    },
    "refund": {
        "en": ("I want a refund for the {item} from order {order}.",
               "Please refund my order {order}, the {item} is not what I expected.",
               "How long does a refund take? I sent the {item} back {days} days ago and still no money.",
               "Requesting a full refund of {amount} for order {order}."),
        "zh": ("我要退款，订单号{order}，{item}不想要了。", "申请退款：订单{order}的{item}，请尽快处理。",
               "退货{days}天了，退款{amount}还没到账，怎么回事？", "{item}质量不行，麻烦给我退款。"),
    },
    "return_exchange": {
        "en": ("I'd like to exchange the {item} for a different size.", "How do I return the {item}? Order {order}.",
               "Can I swap my {item} for another colour?", "Is the return shipping free for order {order}?"),
        "zh": ("{item}尺码不合适，想换一个。", "怎么退货？订单号{order}。", "{item}颜色不喜欢，可以换货吗？",
               "退换货运费谁承担？订单{order}。"),
    },
    "product_defect": {
        "en": ("The {item} I received is broken.", "My {item} stopped working after {days} days.",
               "The {item} arrived damaged, the box was crushed.", "Defective {item}: it won't turn on at all."),
        "zh": ("收到的{item}是坏的。", "{item}用了{days}天就坏了。", "{item}有质量问题，根本用不了。",
               "包装破损，{item}也摔坏了。"),
    },
    "account_login": {
        "en": ("I can't log in to my account, it says wrong password.", "The password reset email never arrives.",
               "My account got locked after too many attempts.", "How do I change the email on my account?"),
        "zh": ("账号登录不了，一直提示密码错误。", "收不到重置密码的验证码。", "账户被锁定了，怎么解锁？",
               "怎么修改绑定的手机号？"),
    },
    "payment": {
        "en": ("I was charged twice for order {order}.", "My card payment failed but the money was taken.",
               "Can I pay with PayPal or Alipay?", "Payment of {amount} keeps getting declined."),
        "zh": ("订单{order}被重复扣款了。", "支付失败了但是钱扣了。", "可以用微信支付或者支付宝吗？",
               "付款{amount}一直提示失败。"),
    },
    "promo_coupon": {
        "en": ("My coupon code {coupon} doesn't work.", "Do you price match? {competitor} sells the {item} cheaper.",
               "The discount wasn't applied to my order {order}.", "Is there a promo code for the {item}?"),
        "zh": ("优惠券{coupon}用不了。", "{competitor}卖得更便宜，能保价吗？", "订单{order}没有享受到满减优惠。",
               "{item}有没有优惠券？"),
    },
    "cancel_order": {
        "en": ("Please cancel order {order}.", "I ordered the {item} by mistake, can I cancel?",
               "How do I cancel an order that hasn't shipped?", "Cancel my order {order} please, I found it elsewhere."),
        "zh": ("请帮我取消订单{order}。", "{item}拍错了，能取消吗？", "还没发货的订单怎么取消？", "不想要了，取消订单{order}。"),
    },
    "invoice": {
        "en": ("I need an invoice for order {order}.", "Can you send a VAT invoice for my purchase of {amount}?",
               "The company name on my invoice is wrong.", "Where can I download the receipt for order {order}?"),
        "zh": ("订单{order}需要开发票。", "请开具增值税专用发票，金额{amount}。", "发票抬头写错了，能重开吗？",
               "电子发票在哪里下载？"),
    },
}  # fmt: skip

# Harder, messier tickets (a real product's inbox): paraphrases that share words with other
# intents, vague follow-ups that only the history explains, two requests in one message,
# off-topic messages, Chinese tickets with English words, typos (English) and homophone slips
# (Chinese, as a pinyin keyboard makes them).
PARAPHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "order_status": {"en": ("Any news on my {item}?", "I haven't had a dispatch confirmation for order {order}.",
                            "Did order {order} go out already?"),
                     "zh": ("{item}什么时候发货？", "订单{order}有物流信息了吗？", "我买的{item}发出去没有？")},
    "shipping_delay": {"en": ("Still waiting for the {item}, tracking hasn't moved in {days} days.",
                              "Courier says delivered but I never got my {item}.", "Why is my parcel stuck at the depot?"),
                       "zh": ("显示已签收但是我没收到{item}。", "等了{days}天了，到底什么时候送到？", "包裹一直卡在中转站不动。")},
    "refund": {"en": ("I returned it {days} days ago, where is my money?", "Money back please, I don't want the {item} anymore.",
                      "Cancelled order {order} but the refund never showed up."),
               "zh": ("钱什么时候退回来？", "取消了订单{order}，钱还没退。", "{item}寄回去{days}天了，钱呢？")},
    "return_exchange": {"en": ("The {item} doesn't fit, can I send it back?", "I'd like to send back the {item} and get another one.",
                               "Wrong colour delivered, I want to swap it."),
                        "zh": ("{item}不合适，能寄回去吗？", "七天无理由退货怎么操作？", "发错颜色了，给我换一个。")},
    "product_defect": {"en": ("The {item} makes a strange noise.", "Parts are missing from my {item}.",
                              "Screen of the {item} flickers all the time."),
                       "zh": ("{item}有异响。", "{item}少了配件。", "{item}屏幕一直闪。")},
    "account_login": {"en": ("The verification code never comes to my phone.", "I think someone else got into my account.",
                             "The app logs me out every few minutes."),
                      "zh": ("验证码收不到，登不上去。", "账号好像被盗了。", "app老是自动退出登录。")},
    "payment": {"en": ("Why was I charged {amount}? I did not order anything.", "Money left my account but order {order} shows unpaid.",
                       "Can I pay for the {item} in instalments?"),
                "zh": ("扣了{amount}但是订单显示未支付。", "{item}能分期付款吗？", "莫名其妙被扣了{amount}。")},
    "promo_coupon": {"en": ("The sale price wasn't honoured on my {item}.", "Price dropped right after I bought the {item}, can I get the difference?",
                            "Where do I find the new-customer voucher?"),
                     "zh": ("刚买完{item}就降价了，能退差价吗？", "新人券在哪里领？", "活动价没生效，{item}还是原价。")},
    "cancel_order": {"en": ("Stop order {order}, I don't need it anymore.", "Changed my mind about the {item}, please don't ship it.",
                            "Can you call off my order before it leaves?"),
                     "zh": ("订单{order}先别发货了，我不要了。", "下错单了，帮我撤销。", "{item}不要了，别发了。")},
    "invoice": {"en": ("I need a receipt for my expense report, order {order}.", "Please add our tax number to the invoice.",
                       "The invoice amount doesn't match what I paid."),
                "zh": ("报销要用，订单{order}开个票。", "发票上税号不对。", "发票金额和实付不一致。")},
}  # fmt: skip
VAGUE: dict[str, tuple[str, ...]] = {
    "en": ("Any update on this?", "Still not sorted, please help.", "I wrote to you {days} days ago and nobody answered.",
           "Hello?? Is anyone there?", "Same problem as last time with order {order}.", "Please call me back about the {item}."),
    "zh": ("有人吗？", "问题还是没解决。", "{days}天前就联系过你们了，怎么还没回复？", "还是上次那个问题，订单{order}。",
           "到底怎么处理？", "关于{item}的事，麻烦回个电话。"),
}  # fmt: skip
OFF_TOPIC: dict[str, tuple[str, ...]] = {
    "en": ("Do you have a physical store in {city}?", "Are you hiring? I'd like to apply for a job.",
           "How can I become a supplier for Northwind?", "What are your opening hours on public holidays?",
           "Is the {item} a good gift for my dad?", "Do you sell gift cards?", "Just wanted to say I love the brand!",
           "Will the {item} come in other colours next season?"),
    "zh": ("你们在{city}有实体店吗？", "你们招人吗？我想投简历。", "想做你们的供应商，怎么联系？", "节假日客服几点上班？",
           "{item}适合送给爸爸吗？", "你们有礼品卡卖吗？", "就是想说很喜欢你们的牌子！", "{item}以后会出别的颜色吗？"),
}  # fmt: skip
CITIES = ("Shanghai", "Shenzhen", "Chengdu", "London", "Berlin", "Toronto", "上海", "杭州")
ALSO = {"en": " Also, ", "zh": "另外，"}
CODE_SWITCH = {"退款": "refund", "订单": "order", "发票": "invoice", "优惠券": "coupon", "物流": "tracking",
               "账号": "account", "密码": "password", "快递": "express", "发货": "ship"}  # fmt: skip
HOMOPHONES = {"退": "推", "款": "宽", "货": "或", "票": "漂", "码": "吗", "单": "但", "惠": "会", "递": "第",
              "账": "帐", "登": "灯", "换": "还", "坏": "怀", "钱": "前"}  # fmt: skip
P_OFF_TOPIC, P_VAGUE, P_MULTI, P_CODE_SWITCH = 0.05, 0.05, 0.12, 0.15

OPENERS: dict[str, tuple[str, ...]] = {"en": ("", "", "Hi, ", "Hello, ", "Hey there. ", "Good morning, "),
           "zh": ("", "", "你好，", "亲，", "客服你好，", "在吗？")}  # fmt: skip
ENDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "negative": {
        "en": (" This is unacceptable!", " Really disappointed.", " Worst service ever!!",
               " I'm very angry about this.", " Fix this now or I'm leaving a bad review."),
        "zh": ("太失望了！", "什么破服务！", "再不处理我就投诉了。", "非常生气！！", "差评！"),
    },
    "positive": {
        "en": (" Thanks so much for your help!", " You guys are great, love the products.",
               " Appreciate the quick support :)", " Great service as always."),
        "zh": ("谢谢，你们服务很好！", "客服很耐心，点赞👍", "非常满意，谢谢！", "辛苦了，感谢！"),
    },
    "neutral": {"en": ("", " Thanks.", " Please advise.", " Let me know."),
                "zh": ("", "谢谢。", "麻烦尽快回复。", "请处理一下。")},
}  # fmt: skip
PII: dict[str, tuple[str, ...]] = {
    "en": (" My email is {email}.", " Call me at {phone}.", " Card used: {card}.",
           " You can text me on {mobile}."),
    "zh": ("我的手机号是{mobile}。", "邮箱{email}。", "卡号{card}。", "电话{mobile}，尽快联系我。"),
}  # fmt: skip
PII_KINDS = ("email", "phone", "card", "mobile")
PII_REGEX = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    "mobile": r"(?<!\d)1[3-9]\d{9}(?!\d)",
    "card": r"(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?!\d)",
    "phone": r"\+1 \d{3}-\d{3}-\d{4}",
}
FIRST = ("john", "mary", "li.wei", "zhang.min", "sarah", "david", "wang.fang", "emma", "chen.jie")
LAST = ("smith", "brown", "zhou", "liu", "taylor", "wilson", "huang", "lee")
DOMAINS = ("example.com", "qq.com", "163.com", "gmail.com", "outlook.com")
COUPONS = ("SAVE20", "WELCOME10", "NW-8XK2", "SPRING15", "VIP30", "双11满减")
TICKET_CHANNELS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {"en": (("email", "chat", "app", "phone"), (0.4, 0.3, 0.2, 0.1)),
                   "zh": (("wechat", "chat", "app", "phone", "email"), (0.35, 0.25, 0.2, 0.1, 0.1))}  # fmt: skip
CHANNEL_SPEED = {"email": 1.6, "chat": 0.6, "app": 1.0, "phone": 0.5, "wechat": 0.7}

KB: dict[str, dict[str, tuple[str, str]]] = {
    "other": {
        "en": ("Something else", "Thanks for getting in touch! This question is outside what our support bot handles, so a colleague will reply within one working day."),
        "zh": ("其他问题", "感谢联系！这个问题超出了智能客服的范围，同事会在一个工作日内回复您。"),
    },
    "order_status": {
        "en": ("Where is my order?", "You can follow order {order_id} under My Orders > Track. It updates within 24 hours of dispatch; orders ship in 1-2 working days."),
        "zh": ("我的订单到哪了？", "您可以在“我的订单 > 物流跟踪”查看订单{order_id}的状态，发货后24小时内更新，一般1-2个工作日内发货。"),
    },
    "shipping_delay": {
        "en": ("My parcel is late", "Sorry for the wait. If order {order_id} shows no update for 3 days we open a carrier trace; after 7 days we resend or refund it in full."),
        "zh": ("快递一直没到", "抱歉让您久等。订单{order_id}物流3天未更新我们会联系快递核查；超过7天可为您补发或全额退款。"),
    },
    "refund": {
        "en": ("How do I get a refund?", "Refunds go back to the original payment method within 3-5 working days after we receive the item. Start one under My Orders > Refund."),
        "zh": ("怎么申请退款？", "收到退回商品后3-5个工作日内原路退款。请在“我的订单 > 申请退款”提交。"),
    },
    "return_exchange": {
        "en": ("Can I return or exchange an item?", "Unused items can be returned or exchanged within 30 days; return shipping is free for size and colour exchanges."),
        "zh": ("可以退换货吗？", "未使用的商品30天内可退换，尺码或颜色更换免运费。"),
    },
    "product_defect": {
        "en": ("My item arrived broken", "We're sorry! Send us a photo of the fault and we will ship a replacement or refund you in full; you don't need to return defective items."),
        "zh": ("收到的商品坏了", "非常抱歉！请拍照发给我们，我们会补发新品或全额退款，质量问题商品无需寄回。"),
    },
    "account_login": {
        "en": ("I can't log in", "Use 'Forgot password' on the sign-in page; the reset link is valid for 30 minutes. Locked accounts unlock automatically after 1 hour."),
        "zh": ("账号登录不了", "请在登录页点击“忘记密码”，重置链接30分钟内有效。账户锁定1小时后自动解锁。"),
    },
    "payment": {
        "en": ("I was charged twice", "Duplicate charges are usually pre-authorisations and drop off within 3 working days. If not, send us the statement line and we refund it."),
        "zh": ("重复扣款怎么办？", "重复扣款一般是预授权，3个工作日内自动退回；如未退回，请提供扣款记录，我们为您退款。"),
    },
    "promo_coupon": {
        "en": ("My coupon doesn't work", "Coupons apply to full-price items above the minimum spend and cannot be combined. We match a competitor's lower price within 7 days of purchase."),
        "zh": ("优惠券用不了", "优惠券适用于满足门槛的正价商品，不可叠加。购买7天内如遇其他平台更低价，可申请保价。"),
    },
    "cancel_order": {
        "en": ("How do I cancel an order?", "Orders can be cancelled under My Orders until they ship; after that, refuse the delivery or start a return."),
        "zh": ("怎么取消订单？", "发货前可在“我的订单”中直接取消；已发货请拒收或申请退货。"),
    },
    "invoice": {
        "en": ("How do I get an invoice?", "Download the invoice for order {order_id} under My Orders > Invoice. For a company invoice, add the company name and tax number before checkout."),
        "zh": ("怎么开发票？", "可在“我的订单 > 发票”下载订单{order_id}的电子发票；开具企业发票请在下单前填写抬头和税号。"),
    },
}  # fmt: skip
