# ruff: noqa: E501 (the hand-written paraphrases are kept whole, one per line, with Chinese punctuation)
"""Writes the paraphrase set: claims of the generated set told in other words, and the clarification each should find.

    python benchmarks/relevance_data/paraphrase.py      # rewrites paraphrases.jsonl beside it

A citizen rarely pastes the very words of the rumor the office answered: they retell it ("轨道交通"
for "地铁", "医疗保险" for "医保", "Rd" for "Road"), reorder it, drop the preamble, mistype a word. Each
query here is one claim of ``clarifications.jsonl.gz`` reworded in one of five ways (its ``kind``):

    abbreviation  a short form written out or a long form shortened (医保 → 医疗保险, 市第一人民医院 →
                  市一医院, Road → Rd, People's Hospital → hospital)
    synonym       other words for the same thing (停运 → 停开, 孩子 → 小孩, bans → prohibits, kids → children)
    reorder       the clauses in another order, the "who told me" preamble dropped
    typo          one character of the claim's rarest key word (the detail that tells it from its
                  neighbours: a district, a vaccine, a food) replaced by a homophone (Chinese), or one
                  letter of it swapped, doubled or dropped (English)
    mixed         the preamble dropped, then abbreviations, other words and another order at once
    hand          reworded by hand as another person would retell it: several of the above at once,
                  numbers written differently, details dropped

The rules' word lists below were written from the generated claims' own vocabulary, independently of
the site's synonym list (``clarifications/synonyms.py``); some pairs are in both, as any two lists of
Chinese abbreviations share the common ones. The benchmark reports each kind apart, so a gain that
only the shared pairs explain shows as such. The hand-written queries were written for this set.

Everything comes from one seeded random generator: running this again writes the same file.
"""

import gzip
import json
import random
import re
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLARIFICATIONS_FILE = HERE / "clarifications.jsonl.gz"
PARAPHRASES_FILE = HERE / "paraphrases.jsonl"
SEED = 20261210
KINDS = ("abbreviation", "synonym", "reorder", "typo", "mixed", "hand")
PER_KIND = {"zh-hans": 50, "en": 30}


def words(text):
    return text.split()


ZH_ABBREVIATIONS = [
    ("医保卡", "医疗保险卡"),
    ("医保", "医疗保险"),
    ("社保卡", "社会保障卡"),
    ("地铁", "轨道交通"),
    ("疾控中心", "疾病预防控制中心"),
    ("新冠", "新型冠状病毒"),
    ("市第一人民医院", "市一医院"),
    ("市第二人民医院", "市二医院"),
    ("市第三人民医院", "市三院"),
    ("市妇幼保健院", "市妇幼"),
    ("市中医院", "市中医"),
    ("共享单车", "单车"),
    ("公交车", "公交"),
    ("网约车", "网约出租车"),
    ("身份证", "居民身份证"),
    ("手足口病", "手足口"),
    ("高考", "普通高考"),
    ("5G基站", "5G信号塔"),
    ("教育局", "教育部门"),
    ("供电局", "电力公司"),
    ("公积金", "住房公积金"),
    ("外国语学校", "外校"),
    ("第一中学", "一中"),
    ("第二中学", "二中"),
    ("第三中学", "三中"),
    ("第七中学", "七中"),
    ("第二小学", "二小"),
    ("第一小学", "一小"),
]
ZH_SYNONYMS = [
    ("停运", "停开"),
    ("全线停止运营", "全线不开了"),
    ("孩子", "小孩"),
    ("赶紧", "赶快"),
    ("已经", "早就"),
    ("禁止", "不准"),
    ("上调", "上涨"),
    ("涨价", "价格上涨"),
    ("作废", "失效"),
    ("罚款", "罚钱"),
    ("摄像头", "探头"),
    ("癌症", "癌"),
    ("停课", "放假"),
    ("出租车", "的士"),
    ("电动车", "电瓶车"),
    ("养老金", "退休金"),
    ("补偿", "赔偿"),
    ("家长", "父母"),
    ("老人", "老年人"),
    ("取消", "不再设"),
    ("停水", "断水"),
    ("停电", "断电"),
    ("快递", "包裹"),
    ("超标", "超出标准"),
    ("封闭", "封路"),
    ("地震", "震"),
    ("住院", "进医院"),
]
EN_ABBREVIATIONS = [
    ("Road", "Rd"),
    ("District", "Dist."),
    ("Traditional Chinese Medicine", "TCM"),
    ("ID cards", "identity cards"),
    ("e-bikes", "electric bikes"),
    ("square meter", "sq m"),
    ("yuan", "RMB"),
    ("hours", "hrs"),
    ("People's Hospital", "Hospital"),
    ("Maternal and Child Health Hospital", "MCH hospital"),
    ("Infectious Disease Hospital", "infectious diseases hospital"),
    ("WeChat", "Weixin"),
    ("Metro", "subway"),
    ("5G mast", "5G tower"),
    ("number", "no."),
]
EN_SYNONYMS = [
    ("bans", "prohibits"),
    ("banned", "prohibited"),
    ("stop", "halt"),
    ("stops", "halts"),
    ("fine", "penalty"),
    ("fines", "penalises"),
    ("rise", "increase"),
    ("children", "kids"),
    ("kids", "children"),
    ("closes", "shuts"),
    ("invalid", "void"),
    ("earthquake", "quake"),
    ("rubbish", "garbage"),
    ("confiscated", "seized"),
    ("escaped", "got out"),
    ("poisonous", "toxic"),
    ("hiring", "recruiting"),
    ("caregivers", "carers"),
    ("cancer", "tumours"),
    ("frozen", "blocked"),
    ("expired", "out of date"),
    ("deliveries", "shipments"),
    ("residents", "people living there"),
]
# Homophones and look-alikes, one character each way, as a phone's input method mistypes them.
ZH_TYPOS = dict(
    pair.split(":")
    for pair in words(
        "铁:贴 运:云 停:亭 疫:役 苗:描 医:衣 保:宝 罚:伐 款:宽 涨:张 价:架 课:棵 癌:岩 症:证 拆:折 迁:签 "
        "补:捕 偿:尝 震:振 洗:喜 澡:燥 效:校 废:费 卡:咔 证:正 险:显 认:任 资:姿 格:隔 金:今 调:掉 "
        "站:战 线:限 塌:踏 桥:乔 裂:列 缝:逢 烧:稍 火:伙 毒:读 甲:假 醛:荃 超:抄 标:彪 检:捡 测:侧 "
        "电:店 供:共 暖:缓 推:堆 迟:尺 快:块 递:第 收:手 派:排 养:氧 犬:大 狗:够 拍:怕 摄:涉 像:象 "
        "租:组 车:东 油:由 米:迷 粉:份 丝:思 招:召 聘:骋 取:娶 存:村 款:欵 气:汽 爆:暴 炸:诈 "
        "台:抬 风:疯 考:烤 试:式 科:棵 费:废 赔:陪 搬:般 校:效 园:圆 学:字 幼:优"
    )
)
SOURCE_LEAD = re.compile(r"^[^：:!！]{2,80}[：:]\s*")

HAND = {
    "relevance-zh-0966": "和平路朝阳路交叉口装了新探头，专门拍没系安全带的，抓到一次罚一万扣六分",
    "relevance-zh-0575": "市七中有学生得了手足口病，两个班已经停课了，家长快去接孩子",
    "relevance-zh-1073": "丽都花园（江北区）要拆迁了，2026年的计划，一平米才赔200块",
    "relevance-zh-0794": "听说青山区今年冬天不烧暖气了，但取暖费还得照样交",
    "relevance-zh-0400": "锦绣路（龙华区）那边从11月10号开始要停6天水，赶紧存水",
    "relevance-zh-1250": "学府路路边停车从1月20号起每小时收60块，以后没有免费时间了",
    "relevance-zh-0178": "9路公交车3月29号以后不开了，去奥体中心再也坐不了公交",
    "relevance-zh-0363": "共享单车12月就要全部撤出我们市了，大家快去退押金",
    "relevance-zh-0324": "北仑区从2月25号开始不准养狗了，城管会上门把狗抓走",
    "relevance-zh-0693": "退休的老人7月21号之前要去社区认证养老资格，不然就停发退休金",
    "relevance-zh-0109": "出租车起步价9月份涨到一千元，滴滴网约车也要涨价",
    "relevance-zh-1037": "动物园有狼逃出来了，在青山区附近，晚上不要出门",
    "relevance-zh-0666": "河西区医保卡1月份停止使用了，要去市妇幼保健院重办电子医保卡，否则看病不能报销",
    "relevance-zh-0780": "骨科医院的专家说吃食用油可以降血压",
    "relevance-zh-1171": "3号线地铁要延长到高新区阳光名苑，那边的房子已经在涨价了",
    "relevance-zh-0372": "有专家说5月2号天河区要发生9级大地震，大家准备好应急物品",
    "relevance-zh-1047": "北仑区桃源家园垃圾没分好要罚款200元，物业拍照上报还要通报批评",
    "relevance-zh-0914": "金水区12月起不让摆夜宵摊了，抓到就罚",
    "relevance-zh-0353": "12级台风11月21日要来，全市停工停课3天",
    "relevance-zh-0673": "紫荆小区的小孩以后上不了西湖外国语学校了，河西区重新划片了",
    "relevance-zh-0981": "市一医招护工3名，包吃住，月薪100，先交1000块报名费",
    "relevance-zh-1162": "临港区公立幼儿园2026年学费要涨到两万一个月",
    "relevance-zh-1240": "临港区3月4号起快递停收停派一个月",
    "relevance-zh-0287": "西湖三中从2025年开始不让住校了，家长每天得接送",
    "relevance-zh-1129": "人民公园要关闭改造了，12月7日开始，这周末是最后机会",
    "relevance-zh-0979": "南岸区桂花路一带有白色面包车抢小孩，已经有5个孩子被抢",
    "relevance-zh-0251": "幸福路农贸市场（梅林区）发生火灾，死了9个人",
    "relevance-zh-0485": "金色新村燃气管老化了随时会爆炸，燃气公司通知停气",
    "relevance-zh-0526": "东城区早市黑木耳价格一晚上翻了13倍，快去囤",
    "relevance-zh-0138": "市三院给小孩打的麻疹疫苗过期了，2个孩子在抢救",
    "relevance-zh-0461": "经开区今天晚上停电8个小时，手机先充满电",
    "relevance-zh-1006": "馨园家园自来水有怪味，查出来瘦肉精超标，喝了致癌",
    "relevance-zh-0274": "2026年5月起旧身份证全部失效，银行卡还会被冻结",
    "relevance-zh-0047": "社保卡不升级12月28号以后就不能用了，点链接办理",
    "relevance-zh-0497": "碧水家园楼顶有5G基站，辐射太大，已经10个人得癌了",
    "relevance-zh-0861": "火车票8月2号开始涨价6%，春运之前快买",
    "relevance-zh-0648": "银行存款超过200元5月份开始要说明来源，快把钱取出来",
    "relevance-zh-0656": "江北区夜市的粉丝含甲醛，有人吃了进医院了",
    "relevance-zh-0799": "2025年高考文理不分科了，道德与法治不考了",
    "relevance-zh-0496": "金水区锦绣路大桥裂了，3月16日开始封桥4个月，可能会塌",
    # The "food X cures or prevents Y" claims: one rare word (the food) tells them apart, the rest is
    # shared and here told otherwise (新型冠状病毒 for 新冠, 预防 for 防, 降低血压 for 降血压).
    "relevance-zh-0543": "吃大米对新型冠状病毒有预防作用",
    "relevance-zh-0655": "小龙虾吃了不会得新型冠状病毒肺炎",
    "relevance-zh-0676": "专家说腊肠能预防新型冠状病毒",
    "relevance-zh-0835": "豆腐可以抵抗新型冠状病毒，肿瘤医院专家说的",
    "relevance-zh-0292": "木耳有抗癌作用，多吃不得癌症",
    "relevance-zh-1152": "鸡蛋能预防癌症，传染病医院专家讲的",
    "relevance-zh-0024": "大米降血脂效果比药还好",
    "relevance-zh-0368": "木耳可以降低血压",
    "relevance-zh-0805": "喝牛奶能治好糖尿病",
    "relevance-zh-0887": "腊肠可以降低血脂，中医院专家说的",
    "relevance-zh-0938": "豆腐能治疗糖尿病",
    "relevance-zh-1199": "小龙虾可以降低血压",
    "relevance-zh-0702": "螺蛳粉治糖尿病是专家说的",
    "relevance-zh-0313": "吃米饭能预防癌症，三院专家说的",
    "relevance-zh-0731": "牛奶降血脂比吃药管用",
    "relevance-en-0560": "From March 2026 the old identity cards are no longer valid and you can't board trains.",
    "relevance-en-0434": "Stay inside: a bear got out of Forest Park and is wandering around Xihu District!",
    "relevance-en-0644": "Starting in August any deposit over 100 yuan will be taxed by banks, take your money out.",
    "relevance-en-0010": "The No. 4 bus in Chengnan District will no longer run after June 22, Central Library loses its bus.",
    "relevance-en-0498": "Late-night food stalls in Binjiang District are banned starting February and their stock will be seized.",
    "relevance-en-0679": "Deliveries are suspended in Longhua District for a week starting March 24.",
    "relevance-en-0788": "From June 21 big dogs are not allowed in Baiyun District, officers will confiscate them.",
    "relevance-en-0403": "Scientists say a magnitude 3 quake will hit Beilun District on July 1st, get your emergency kit ready.",
    "relevance-en-0845": "Eight people died in a fire at the Jinxiu Road morning market and it's still burning.",
    "relevance-en-0320": "Strawberries and noodles eaten together are poisonous, says a nurse at No. 2 People's Hospital.",
    "relevance-en-0228": "From November 9, Children's Hospital ends general outpatient services; only specialist appointments.",
    "relevance-en-0836": "Lingang District's heating will come on late this year but residents still have to pay the full fee.",
    "relevance-en-0369": "Lake Villas (Qingshan) to be torn down in 2027, compensation just 200 yuan per m2.",
    "relevance-en-0340": "Medical insurance personal account balances get cleared at the end of 2026, use the money at the pharmacy.",
    "relevance-en-0107": "Infectious Disease Hospital hiring 8 carers, room and board, 10000 a month, registration fee required.",
    "relevance-en-0371": "Line 13 base fare rises to 12 yuan from June and seniors lose free rides.",
    "relevance-en-0246": "Parking on Xingfu Road will cost 110 yuan per hour from July 24, nights included.",
    "relevance-en-0701": "Pensions go up 13% in 2025, Hexi District is already paying arrears.",
    "relevance-en-0028": "Power cut tonight across Songjiang District for six hours, charge your phones.",
    "relevance-en-0395": "From October 21 train fares increase by 8% and there are no more student discounts.",
    "relevance-en-0687": "Starting March, Qingshan District will fine people 3000 yuan for wrong garbage sorting, bins are monitored by cameras.",
    "relevance-en-0656": "Kids being kidnapped by a white van near Huanghe Road, Gaoxin District - 8 taken already.",
    "relevance-en-0535": "From November WeChat transfers over 10000 yuan have to be registered with police in Huaxi District.",
    "relevance-en-0431": "Xihu Foreign Language School shuts for a week from tomorrow because a pupil has an infectious disease.",
    "relevance-en-0365": "Taxi flag fall goes up to 3000 yuan in August and night fares are doubled.",
    "relevance-en-0269": "Residents of Lake Residences got cancer from the 5G antenna on the roof, 7 cases so far.",
    "relevance-en-0056": "New cameras at the Zhongshan Rd / Huanghe Rd junction fine drivers 10000 yuan and 2 points for full beams.",
    "relevance-en-0253": "Don't take a shower for 4 days after the pneumococcal shot or it won't work.",
    "relevance-en-0270": "Baiyun District's Jinxiu Road area will have no water for 10 days starting January 27, fill the bathtub.",
    "relevance-en-0671": "Weather forecast: record-breaking 8 degrees in Xihu District this weekend.",
}


def replaced(text, pairs, rng, *, both_ways=True):
    """``text`` with one to three of ``pairs`` (a, b) applied (a → b, or b → a), or None when none applies."""
    found = [(a, b) for a, b in pairs if a in text]
    if both_ways:
        found += [(b, a) for a, b in pairs if b in text and a not in text]
    if not found:
        return None
    for old, new in rng.sample(found, min(len(found), rng.randint(1, 3))):
        text = text.replace(old, new)
    return text


def reordered(text, language, rng):
    """The clauses of ``text`` in another order, without the "who told me" preamble."""
    text = SOURCE_LEAD.sub("", text).rstrip("!！。. ")
    clauses = [part.strip() for part in re.split(r"[，,；;]" if language == "zh-hans" else r",\s|;\s", text)]
    clauses = [clause for clause in clauses if clause]
    if len(clauses) < 2:
        return None
    first = clauses.pop(rng.randrange(1, len(clauses)))
    joined = ("，" if language == "zh-hans" else ", ").join([first, *clauses])
    return joined if joined != text else None


def rarest(words, frequency):
    """The word of ``words`` found in the fewest claims."""
    return min(words, key=lambda word: (frequency(word), word)) if words else None


def zh_typo(item, rng, frequency):
    word = rarest([word for word in item["keywords"] if any(char in ZH_TYPOS for char in word)], frequency)
    if not word:
        return None
    positions = [index for index, char in enumerate(word) if char in ZH_TYPOS]
    index = rng.choice(positions)
    typo = word[:index] + ZH_TYPOS[word[index]] + word[index + 1 :]
    return item["claim"].replace(word, typo, 1) if word in item["claim"] else None


def en_typo(item, rng, frequency):
    candidates = [word for word in re.findall(r"[A-Za-z]{5,}", " ".join(item["keywords"])) if word in item["claim"]]
    word = rarest(candidates, frequency)
    if not word:
        return None
    index = rng.randrange(1, len(word) - 2)
    change = rng.choice(("swap", "drop", "double"))
    if change == "swap":
        typo = word[:index] + word[index + 1] + word[index] + word[index + 2 :]
    elif change == "drop":
        typo = word[:index] + word[index + 1 :]
    else:
        typo = word[:index] + word[index] + word[index:]
    return item["claim"].replace(word, typo, 1) if typo != word else None


def mixed(item, rng):
    zh = item["language"] == "zh-hans"
    text = SOURCE_LEAD.sub("", item["claim"])
    text = replaced(text, ZH_ABBREVIATIONS if zh else EN_ABBREVIATIONS, rng) or text
    text = replaced(text, ZH_SYNONYMS if zh else EN_SYNONYMS, rng, both_ways=False) or text
    text = reordered(text, item["language"], rng) or text
    return text if text != item["claim"] else None


def reword(item, kind, rng, frequency):
    """The claim of ``item`` reworded in the way ``kind`` says, or None when that way does not apply to it."""
    zh = item["language"] == "zh-hans"
    if kind == "mixed":
        return mixed(item, rng)
    if kind == "abbreviation":
        return replaced(item["claim"], ZH_ABBREVIATIONS if zh else EN_ABBREVIATIONS, rng)
    if kind == "synonym":
        return replaced(item["claim"], ZH_SYNONYMS if zh else EN_SYNONYMS, rng, both_ways=False)
    if kind == "reorder":
        return reordered(item["claim"], item["language"], rng)
    if kind == "typo":
        return zh_typo(item, rng, frequency) if zh else en_typo(item, rng, frequency)
    return HAND.get(item["external_id"])


def paraphrases(items):
    rng = random.Random(SEED)
    claims = [item["claim"] for item in items]

    def frequency(word):
        return sum(1 for claim in claims if word in claim)

    by_language = defaultdict(list)
    for item in items:
        by_language[item["language"]].append(item)
    rows = []
    for language, count in PER_KIND.items():
        pool = sorted(by_language[language], key=lambda item: item["external_id"])
        used = set(HAND)
        for kind in KINDS:
            if kind == "hand":
                chosen = [item for item in pool if item["external_id"] in HAND]
            else:
                chosen = []
                for item in rng.sample(pool, len(pool)):
                    if len(chosen) == count:
                        break
                    if item["external_id"] in used:
                        continue
                    text = reword(item, kind, rng, frequency)
                    if text and text != item["claim"]:
                        chosen.append(item | {"paraphrase": text})
                        used.add(item["external_id"])
            for item in chosen:
                text = item.get("paraphrase") or HAND[item["external_id"]]
                rows.append({"kind": kind, "language": language, "expected": item["external_id"], "text": text})
    return rows


def main():
    with gzip.open(CLARIFICATIONS_FILE, "rt", encoding="utf-8") as lines:
        items = [json.loads(line) for line in lines]
    rows = paraphrases(items)
    with open(PARAPHRASES_FILE, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} paraphrases written to {PARAPHRASES_FILE.name}")


if __name__ == "__main__":
    main()
