# ruff: noqa: E501 (template strings are kept whole, one per line)
"""Writes the relevance benchmark's labelled data set: clarifications and the queries that should find them.

    python benchmarks/relevance_data/generate.py        # rewrites the two .jsonl.gz files beside it

The clarifications are generated, not collected (see README.md beside this file): city-life rumors
of the kinds a city's internet information office answers (metro, water, schools, vaccines,
pensions, medical insurance, food safety, weather, traffic, scams, housing, power and gas...), in
Simplified Chinese and English, from templates with slots (districts, streets, lines, schools,
hospitals, dates, amounts). Items on one topic share most of their words, as in a real archive
where dozens of clarifications are about the metro; what tells them apart is the detail.

Each query is labelled with the one clarification it should find, and is built from it in one of
four classes, the ways a citizen searches:
    pasted    the claim as a forwarded message: forwarding phrases (【重要通知，请务必转发】, FWD:,
              Please share!!...), greetings, emoji, line breaks, an unrelated sentence, a link
    long      a real-length paste (300 to 2,000 characters): the claim inside a long forward
    keywords  2 to 4 words a person would type, chosen so that only this clarification has them all
    partial   a fragment of the claim, found in no other clarification

Everything comes from one seeded random generator: running this again writes the same files.
"""

import gzip
import json
import random
import re
import string
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLARIFICATIONS_FILE = HERE / "clarifications.jsonl.gz"
QUERIES_FILE = HERE / "queries.jsonl.gz"
SEED = 20261202
COUNTS = {"zh-hans": 1250, "en": 850}
QUERIES_PER_CLASS = {"zh-hans": 150, "en": 100}
CLASSES = ("pasted", "long", "keywords", "partial")
VERDICTS = (("false", 60), ("misleading", 14), ("partly_false", 10), ("unproven", 10), ("true", 6))


def words(text):
    return text.split()


def phrases(text):
    return text.split(", ")


# --- Chinese slots -------------------------------------------------------------------------------

ZH = {
    "亲戚": words("表哥 表姐 舅舅 姨妈 同学 邻居 老同事 小舅子"),
    "单位": words("市政府 区政府 街道办 地铁公司 水务集团 教育局 医保局 疾控中心 供电局 派出所"),
    "区": words(
        "东城区 西湖区 南岸区 北仑区 江北区 高新区 经开区 滨江区 临港区 新城区 河西区 城南区 城北区 青山区 龙华区 金水区 天河区 白云区 花溪区 松江区 柳园区 梅林区"
    ),
    "路": words(
        "解放路 人民路 建设路 中山路 和平路 新华路 文化路 胜利路 长江路 黄河路 光明路 幸福路 朝阳路 学府路 滨河路 春风路 枫林路 桂花路 锦绣路 振兴路 迎宾大道 环城东路 工业大道 友谊路"
    ),
    "线": [f"{n}号线" for n in range(1, 15)],
    "站": words(
        "火车站 体育中心 市民广场 大学城 会展中心 机场 高铁南站 东站 图书馆 科技园 人民公园 五一广场 博物馆 软件园 奥体中心 老街 汽车北站 滨江公园"
    ),
    "小区": [
        a + b
        for a in words("阳光 碧水 锦江 翠湖 金色 海棠 御景 丽都 绿城 华府 东方 紫荆 馨园 桃源")
        for b in ("花园", "小区", "家园", "新村", "名苑")
    ],
    "学校": [
        f"{p}{s}"
        for p in words("市 东城 西湖 南岸 江北 滨江 高新 河西 青山 龙华")
        for s in ("第一中学", "第三中学", "第七中学", "实验小学", "外国语学校", "第二小学")
    ],
    "医院": words(
        "市第一人民医院 市第二人民医院 市中医院 市妇幼保健院 市儿童医院 市肿瘤医院 市口腔医院 市传染病医院 市第三人民医院 市骨科医院"
    ),
    "疫苗": words("流感 狂犬病 百白破 乙肝 HPV 水痘 肺炎 脊灰 麻疹 手足口病"),
    "食品": words("小龙虾 猪肉 大米 鸡蛋 草莓 西瓜 牛奶 面粉 食用油 螺蛳粉 粉丝 腊肠 海带 馒头 豆腐 木耳 蜂蜜 紫菜"),
    "有害": words("塑料 瘦肉精 甲醛 苏丹红 避孕药 工业明胶 寄生虫 重金属 蜡"),
    "市场": words("农贸市场 菜市场 批发市场 大型超市 生鲜超市 早市 夜市"),
    "灾害": words("十二级台风 特大暴雨 暴雪 强对流天气 冰雹 沙尘暴 寒潮"),
    "动物": words("老虎 黑熊 狼 猴子 蟒蛇 鳄鱼 豹子"),
    "公园": words("市动物园 森林公园 湿地公园 野生动物园 人民公园"),
    "科目": words("体育 英语听力 物理实验 道德与法治 信息技术 地理 生物"),
    "功效": words("防癌 降血压 治糖尿病 清肺 排毒 防新冠 降血脂"),
    "行为": words("开车接电话 不系安全带 不礼让行人 开远光灯 压实线 鸣喇叭"),
    "摊贩": words("流动摊贩 早餐车 夜宵摊 烧烤摊 三轮车"),
}

# One rumor each: (topic, claim, truth, short form for the title, words a typed query is drawn
# from). {slot} is filled from the slots above; [a|b|c] in a claim is one of its wordings, chosen per
# clarification (two clarifications never share the same claim with the same slots).
ZH_TEMPLATES = [
    (
        "地铁",
        "[{线}|地铁{线}]从{月}月{日}日起[全线停运|全线停止运营|全部停运]{n}个月[进行改造|大修|搞施工]，[上班的朋友提前做好准备|坐地铁上班的注意了|大家提前安排好出行]",
        "经向市地铁集团核实，{线}{月}月{日}日起仅在夜间对{站}站进行设备检修，运营时间和班次不变，不存在全线停运",
        "地铁{线}全线停运{n}个月",
        ["{线}", "停运", "{n}个月"],
    ),
    (
        "地铁",
        "地铁{线}{站}站[发生塌方|塌方了|隧道塌了]，{站}站已经封站，[列车不停靠|车子都不停了|进不去了]",
        "经核实，{线}{站}站附近为市政管线施工围挡，车站正常运营，列车正常停靠，未发生塌方",
        "地铁{线}{站}站塌方封站",
        ["{线}", "{站}", "塌方"],
    ),
    (
        "地铁",
        "地铁票价{月}月起上调，{线}起步价涨到{n}元，[老人卡也要收费|老年卡以后也不免费了|学生卡也不打折了]",
        "市发展改革委表示，地铁票价未作调整，{线}仍按现行里程计价，老年人乘车优惠政策不变",
        "地铁{线}起步价涨到{n}元",
        ["{线}", "起步价", "{n}元"],
    ),
    (
        "地铁",
        "{区}要建地铁{线}延长线，[经过|就在|正好经过]{小区}门口，{小区}房价[马上要涨|要翻倍了|已经开始涨了]",
        "市轨道交通建设指挥部表示，{线}延长线方案仍在研究，线路走向和站点均未确定，网传线路图系拼凑",
        "{线}延长线经过{小区}",
        ["{线}", "延长线", "{小区}"],
    ),
    (
        "停水",
        "{区}{路}一带{月}月{日}日起停水{n}天，[大家赶紧储水|家里多备点水|赶紧接水]",
        "经向市水务集团核实，{月}月{日}日{区}{路}仅因管网维修停水约{h}小时，不存在停水{n}天的情况",
        "{区}{路}停水{n}天",
        ["{路}", "停水", "{n}天"],
    ),
    (
        "自来水",
        "{小区}的自来水[发黄发臭|又黄又臭|有一股怪味]，检测出{有害}超标，[喝了会得癌症|千万别喝|孩子喝了会生病]",
        "市水务集团对{小区}末梢水进行了检测，各项指标均符合国家标准，水色发黄系小区二次供水水箱清洗后短时现象",
        "{小区}自来水{有害}超标",
        ["{小区}", "自来水", "超标"],
    ),
    (
        "学校",
        "{学校}有学生确诊传染病，[全校明天起停课一周|明天开始全校放假一周|下周全校停课]",
        "经向{区}教育局核实，{学校}教学秩序正常，未出现传染病聚集疫情，也未安排停课",
        "{学校}停课一周",
        ["{学校}", "停课"],
    ),
    (
        "学校",
        "今年中考取消{科目}考试，{科目}分数不再计入总分[|，家长们不用再花钱补课了|，初三的孩子可以松口气了]",
        "市教育考试院表示，今年中考科目和分值与去年相同，{科目}仍计入总分，请以正式公布的中考方案为准",
        "中考取消{科目}",
        ["中考", "取消", "{科目}"],
    ),
    (
        "学校",
        "{区}小学划片范围调整，{小区}的孩子以后不能上{学校}了[|，买了学区房的亏大了|，家长们赶紧想办法]",
        "{区}教育局表示，今年义务教育学校招生范围尚未公布，{小区}对口学校暂无调整，网传名单并非官方发布",
        "{小区}不再对口{学校}",
        ["{小区}", "{学校}", "划片"],
    ),
    (
        "疫苗",
        "{医院}给孩子打的{疫苗}疫苗是过期疫苗，已经有{n}个孩子[发烧住院|出现不良反应|送去抢救]",
        "经市卫生健康委核查，{医院}使用的{疫苗}疫苗均在有效期内，批签发手续齐全，未收到相关不良反应报告",
        "{医院}{疫苗}疫苗过期",
        ["{医院}", "{疫苗}疫苗", "过期"],
    ),
    (
        "疫苗",
        "接种{疫苗}疫苗后{n}天内不能洗澡，否则疫苗会失效[|，医生都没告诉你|，很多家长不知道]",
        "市疾控中心表示，接种{疫苗}疫苗后当天注意保持接种部位清洁即可，洗澡不会导致疫苗失效",
        "打{疫苗}疫苗后{n}天不能洗澡",
        ["{疫苗}疫苗", "洗澡", "失效"],
    ),
    (
        "养老金",
        "{年}年起养老金统一上调{pct}%，{区}已经开始补发了[|，快查查你的账户|，退休的老人有福了]",
        "市人力资源和社会保障局表示，{年}年基本养老金调整方案尚未出台，{区}未开始补发，请以官方公布为准",
        "{年}年养老金上调{pct}%",
        ["养老金", "{年}年", "上调{pct}%"],
    ),
    (
        "养老金",
        "退休人员必须在{月}月{日}日前到社区做资格认证，否则[停发养老金|养老金就停发了|养老金要被冻结]",
        "养老金领取资格认证可通过手机随时办理，一年内完成即可，{月}月{日}日不是截止日期，也不会因此停发",
        "{月}月{日}日前不认证停发养老金",
        ["资格认证", "停发", "{月}月{日}日"],
    ),
    (
        "医保",
        "医保个人账户余额{年}年底[清零|全部清零|作废]，[赶紧去药店把钱花掉|赶紧去药店买药|抓紧时间用掉]",
        "市医疗保障局表示，医保个人账户余额归个人所有，可以结转使用和继承，不会在年底清零",
        "医保个人账户{年}年底清零",
        ["医保", "个人账户", "清零"],
    ),
    (
        "医保",
        "{区}的医保卡{月}月起停用，必须到{医院}重新办理电子医保卡[|，不办就不能报销了]",
        "医保卡不会停用，电子医保凭证可在手机上自行激活，无需到{医院}办理",
        "{区}医保卡{月}月起停用",
        ["{区}", "医保卡", "停用"],
    ),
    (
        "食品安全",
        "{区}{市场}卖的{食品}里有{有害}，已经有人吃了[住院|进医院了|上吐下泻]",
        "{区}市场监管局对{市场}销售的{食品}进行了抽检，结果合格，未发现{有害}，也未接到相关就医报告",
        "{区}{市场}{食品}含{有害}",
        ["{食品}", "{有害}", "{区}"],
    ),
    (
        "食品安全",
        "{食品}和{食品2}一起吃会中毒，{医院}已经收治了[好几个|好几个病人|一家三口]",
        "营养专家表示，{食品}与{食品2}同食不会引起中毒，{医院}表示未收治此类病例",
        "{食品}和{食品2}同吃中毒",
        ["{食品}", "{食品2}", "中毒"],
    ),
    (
        "天气",
        "{月}月{日}日本市将迎来{灾害}，全市停工停课三天[|，大家提前囤好菜|，请做好准备]",
        "市气象台表示，{月}月{日}日前后本市以多云天气为主，未发布{灾害}预警，停工停课的通知系伪造",
        "{月}月{日}日{灾害}停工停课",
        ["{灾害}", "停工停课", "{月}月{日}日"],
    ),
    (
        "天气",
        "气象台预报这个周末{区}最高气温{n}度，打破历史纪录[|，大家注意防暑|，出门一定要注意]",
        "市气象台本周末预报{区}最高气温为{m}度左右，网传{n}度系对外地预报截图的篡改",
        "周末{区}最高气温{n}度",
        ["{区}", "气温", "{n}度"],
    ),
    (
        "交通",
        "{月}月{日}日起{路}全天禁止电动车通行，违者[罚款{金额}元|一律罚款{金额}元|罚{金额}元扣车]",
        "市公安局交警支队表示，{路}未出台电动车禁行规定，网传通告系将外地旧文件改头换面",
        "{路}禁止电动车通行",
        ["{路}", "电动车", "禁止"],
    ),
    (
        "交通",
        "{路}和{路2}路口新装的摄像头专拍{行为}，一次扣{n}分罚{金额}元[|，开车的朋友注意了|，已经有很多人被拍了]",
        "交警部门表示，{路}与{路2}路口新装设备为交通流量监测设备，不具备抓拍{行为}的功能",
        "{路}{路2}路口拍{行为}",
        ["{路}", "{路2}", "摄像头"],
    ),
    (
        "交通",
        "{区}{路}大桥出现裂缝，{月}月{日}日起封闭{n}个月[|，开车的提前绕行|，随时可能垮]",
        "{区}住建局表示，{路}大桥结构安全，近期仅进行伸缩缝例行维护，夜间短时封闭半幅，不会封闭{n}个月",
        "{路}大桥裂缝封闭",
        ["{路}", "大桥", "裂缝"],
    ),
    (
        "诈骗",
        "社保卡{月}月{日}日前不升级就作废，[点这个链接就能办理|点下面链接办理|链接里填身份证号就行]",
        "社保卡无需升级，人社部门从未通过短信链接办理业务，此类链接为诈骗网站，请勿点击",
        "社保卡{月}月{日}日前不升级作废",
        ["社保卡", "升级", "作废"],
    ),
    (
        "诈骗",
        "{区}派出所通知，{月}月起微信转账超过{金额}元要到派出所登记[|，否则冻结账户|，不登记要罚款]",
        "{区}公安分局表示，从未发布此类通知，微信转账无需登记，冒充警方的通知多为诈骗引流",
        "微信转账超{金额}元要登记",
        ["微信转账", "登记", "{金额}元"],
    ),
    (
        "住房",
        "{区}{小区}列入{年}年拆迁计划，每平米补偿{金额}元[|，有房的发财了|，赶紧去问问]",
        "{区}征收办表示，{小区}未列入任何征收计划，网传补偿标准不实，请勿轻信中介炒作",
        "{小区}列入{年}年拆迁计划",
        ["{小区}", "拆迁", "补偿"],
    ),
    (
        "住房",
        "{年}年起公积金取消贷款功能，[要用的赶紧提取|赶紧把钱取出来|买房的抓紧办]",
        "市住房公积金管理中心表示，公积金贷款业务正常办理，没有取消的计划",
        "{年}年起公积金取消贷款",
        ["公积金", "取消", "贷款"],
    ),
    (
        "治安",
        "{区}{路}附近有人开白色面包车抢孩子，已经抢走{n}个了[|，家长看好孩子|，接送孩子一定要小心]",
        "{区}公安分局经调查核实，{区}{路}附近未发生抢夺儿童案件，网传视频为外地旧视频",
        "{路}面包车抢孩子",
        ["{路}", "面包车", "抢孩子"],
    ),
    (
        "医疗",
        "{医院}{月}月{日}日起取消普通门诊，只能挂专家号[|，看病要贵好几倍|，老人看病更难了]",
        "{医院}表示，普通门诊正常开诊，{月}月{日}日起仅调整部分科室的出诊时间，挂号方式不变",
        "{医院}取消普通门诊",
        ["{医院}", "普通门诊", "取消"],
    ),
    (
        "医疗",
        "吃{食品}能{功效}，{医院}的专家都这么说[|，赶紧给家里老人看看|，比吃药还管用]",
        "{医院}表示，从未有专家发表此类说法，{食品}是普通食物，不能{功效}，有病请及时就医",
        "吃{食品}能{功效}",
        ["{食品}", "{功效}"],
    ),
    (
        "动物",
        "{公园}的{动物}跑出来了，就在{区}一带，[大家不要出门|晚上别出门|看好孩子]",
        "{公园}表示，园内动物全部在场，未发生{动物}逃逸，网传图片为多年前外地旧图",
        "{公园}{动物}逃跑",
        ["{公园}", "{动物}", "跑出来"],
    ),
    (
        "能源",
        "{区}今晚全区停电{n}小时，[冰箱里的东西赶紧处理|提前给手机充好电|大家做好准备]",
        "供电公司表示，{区}今晚仅{路}局部线路检修，停电约{h}小时，不存在全区停电",
        "{区}全区停电{n}小时",
        ["{区}", "全区停电", "{n}小时"],
    ),
    (
        "能源",
        "{月}月{日}日起天然气价格上涨{pct}%，{区}已经开始执行[|，赶紧去充值|，做饭都用不起了]",
        "市发展改革委表示，居民天然气价格未作调整，{区}燃气公司仍按原价收费",
        "天然气价格上涨{pct}%",
        ["天然气", "上涨{pct}%", "{区}"],
    ),
    (
        "城市管理",
        "{区}从{月}月起全面禁止{摊贩}，[抓到就没收|发现一次罚一次|以后买早餐难了]",
        "{区}城市管理局表示，{区}对{摊贩}实行定点规范经营，并未全面禁止，网传通知系伪造",
        "{区}全面禁止{摊贩}",
        ["{区}", "禁止", "{摊贩}"],
    ),
    (
        "公交",
        "{区}[公交|公交车]{n}路{月}月{日}日起[停运|取消]，以后{站}没有公交车了",
        "市公交集团表示，{n}路公交仅因{路}施工临时绕行，{站}站点保留，线路没有停运计划",
        "{n}路公交停运",
        ["{n}路", "公交", "停运"],
    ),
    (
        "出租车",
        "{月}月起出租车起步价涨到{金额}元，[网约车也要跟着涨|夜里还要加收一倍]",
        "市交通运输局表示，本市出租车运价未作调整，起步价仍按现行标准执行",
        "出租车起步价涨到{金额}元",
        ["出租车", "起步价", "{金额}元"],
    ),
    (
        "快递",
        "{区}的快递{月}月{日}日起全部停收停派，[{n}天后才恢复|要停一个月]",
        "市邮政管理局表示，{区}快递网点正常收派，仅部分网点因仓库搬迁调整了营业时间",
        "{区}快递停收停派",
        ["{区}", "快递", "停收停派"],
    ),
    (
        "燃气",
        "{小区}的燃气管道老化要爆炸了，燃气公司已经通知全部停气",
        "燃气公司表示，已对{小区}燃气管道进行检测，未发现泄漏隐患，也未通知停气",
        "{小区}燃气管道要爆炸",
        ["{小区}", "燃气", "爆炸"],
    ),
    (
        "就业",
        "{医院}招聘{n}名护工，包吃包住月薪{金额}元，交{pct}00元报名费就能上岗",
        "{医院}从未发布此类招聘信息，也不收取任何报名费，请警惕以招聘为名的诈骗",
        "{医院}招护工交报名费",
        ["{医院}", "招聘", "报名费"],
    ),
    (
        "旅游",
        "{公园}{月}月{日}日起[永久关闭|关门改建]，[最后一个周末赶紧去|以后再也去不了了]",
        "{公园}表示，{月}月{日}日起仅对部分区域进行改造，其他区域正常开放，没有关闭计划",
        "{公园}{月}月{日}日起关闭",
        ["{公园}", "关闭", "{月}月{日}日"],
    ),
    (
        "消防",
        "{区}{路}的{市场}着大火了，[烧死了{n}个人|死了好几个人]，[现在还在烧|浓烟滚滚]",
        "{区}消防救援大队表示，{路}{市场}仅一处广告牌冒烟，很快处置完毕，无人员伤亡",
        "{路}{市场}大火致死",
        ["{路}", "{市场}", "大火"],
    ),
    (
        "地震",
        "[地震局预测|专家预测]{月}月{日}日{区}会发生{n}级地震，[晚上别睡太死|提前准备好应急包]",
        "市地震局表示，目前的科学水平无法准确预测地震，从未发布此类预测，网传消息系谣言",
        "{月}月{日}日{区}{n}级地震",
        ["{区}", "地震", "{n}级"],
    ),
    (
        "教育",
        "{学校}{年}年起[取消住宿|不再招收住校生]，[住校的孩子要自己找房子|家长要每天接送]",
        "{区}教育局表示，{学校}{年}年住宿安排与往年相同，并未取消住宿",
        "{学校}取消住宿",
        ["{学校}", "住宿", "取消"],
    ),
    (
        "物价",
        "{区}{市场}的{食品}一夜涨价{pct}倍，[大家赶紧囤货|超市都被抢空了]",
        "{区}发展改革局监测显示，{市场}{食品}价格平稳，供应充足，未出现抢购",
        "{区}{食品}一夜涨价{pct}倍",
        ["{食品}", "涨价", "{区}"],
    ),
    (
        "铁路",
        "{月}月{日}日起火车票[全面涨价|统一上调]{pct}%，[学生票也不打折了|春运前赶紧买]",
        "铁路部门表示，火车票价格未作调整，学生优惠政策不变，网传调价通知系伪造",
        "火车票{月}月{日}日起涨价{pct}%",
        ["火车票", "涨价", "{pct}%"],
    ),
    (
        "垃圾分类",
        "{区}{月}月起垃圾分类不合格[一次罚款{金额}元|罚{金额}元还要通报]，[物业会拍照上报|小区门口装了摄像头]",
        "{区}城市管理局表示，垃圾分类以宣传引导为主，对个人的罚款标准与网传不符，也未要求物业拍照上报",
        "{区}垃圾分类不合格罚{金额}元",
        ["垃圾分类", "罚款", "{区}"],
    ),
    (
        "养犬",
        "{区}{月}月{日}日起[全面禁养大型犬|禁止养狗]，[不送走就没收|城管上门抓狗]",
        "{区}公安分局表示，养犬管理规定未作调整，登记办证后可以依法养犬，不存在全面禁养",
        "{区}全面禁养大型犬",
        ["{区}", "禁养", "犬"],
    ),
    (
        "共享单车",
        "{月}月起共享单车[全部退出本市|要全部撤走]，[押金赶紧退|会员卡要作废了]",
        "市交通运输局表示，共享单车企业正常运营，仅对{区}部分停放点进行调整，没有退出计划",
        "共享单车{月}月起退出本市",
        ["共享单车", "退出", "押金"],
    ),
    (
        "停车",
        "{路}{月}月{日}日起路边停车[每小时收{n}0元|按小时收费{n}0元]，[晚上也收|没有免费时段了]",
        "市停车管理中心表示，{路}路内停车收费标准未作调整，夜间仍按原规定执行",
        "{路}停车每小时{n}0元",
        ["{路}", "停车", "{n}0元"],
    ),
    (
        "证件",
        "[老身份证|第一代身份证]{年}年{月}月起全部作废，[不换的坐不了高铁|银行卡也会被冻结]",
        "公安部门表示，第二代居民身份证在有效期内均可正常使用，不存在统一作废的规定",
        "身份证{年}年{月}月起作废",
        ["身份证", "作废", "{年}年"],
    ),
    (
        "高考",
        "{年}年高考[取消文理分科后不考{科目}|{科目}改成选考]，[高三家长注意了|赶紧调整复习]",
        "市教育考试院表示，{年}年高考方案已经公布，{科目}的考试安排与网传不符，请以官方文件为准",
        "{年}年高考不考{科目}",
        ["高考", "{科目}", "{年}年"],
    ),
    (
        "幼儿园",
        "{区}的公办幼儿园{年}年起[学费涨到每月{金额}元|保教费上调到{金额}元]",
        "{区}教育局表示，公办幼儿园保教费标准未作调整，网传收费表系民办园价目",
        "{区}公办幼儿园学费涨到{金额}元",
        ["幼儿园", "学费", "{金额}元"],
    ),
    (
        "银行",
        "{月}月起银行存款超过{金额}元要[说明来源|交税]，[赶紧把钱取出来|不说明就冻结]",
        "金融监管部门表示，个人正常存款无需说明来源，也不征收存款税，网传说法不实",
        "存款超过{金额}元要说明来源",
        ["存款", "{金额}元", "来源"],
    ),
    (
        "通信",
        "{小区}楼顶装了5G基站，辐射超标，[楼里已经有{n}个人得了癌症|孩子都流鼻血]",
        "通信管理部门对{小区}基站进行了检测，电磁辐射远低于国家标准，网传患病说法没有依据",
        "{小区}5G基站辐射致癌",
        ["{小区}", "基站", "辐射"],
    ),
    (
        "供暖",
        "{区}今年[推迟供暖|不供暖了]，[要到{月}月{日}日才开始|暖气费照交]",
        "市热力公司表示，{区}今年按时供暖，网传推迟供暖的通知系往年外地文件",
        "{区}今年推迟供暖",
        ["{区}", "供暖", "推迟"],
    ),
    (
        "传染病",
        "{学校}[暴发诺如病毒|出现手足口病]，已经有{n}个班停课，[家长赶紧把孩子接回家|别让孩子去上学了]",
        "{区}疾控中心表示，{学校}仅发现个别散发病例，已按规定消毒，未出现班级停课",
        "{学校}暴发传染病停课",
        ["{学校}", "停课", "{n}个班"],
    ),
]

# --- English slots -------------------------------------------------------------------------------

EN = {
    "relative": phrases("cousin, sister-in-law, uncle, aunt, classmate, neighbour, old colleague"),
    "workplace": phrases(
        "City Hall, the district government, the Metro Group, the Water Group, the education bureau, the CDC, the power company, the police station"
    ),
    "district": words(
        "Dongcheng Xihu Nan'an Beilun Jiangbei Gaoxin Binjiang Lingang Xincheng Hexi Chengnan Chengbei Qingshan Longhua Jinshui Tianhe Baiyun Huaxi Songjiang Liuyuan Meilin"
    ),
    "road": words(
        "Jiefang Renmin Jianshe Zhongshan Heping Xinhua Wenhua Shengli Changjiang Huanghe Guangming Xingfu Chaoyang Xuefu Binhe Chunfeng Fenglin Guihua Jinxiu Zhenxing Youyi"
    ),
    "line": [f"Line {n}" for n in range(1, 15)],
    "station": phrases(
        "Railway Station, Sports Center, Civic Square, University Town, Expo Center, Airport, South Station, East Station, Central Library, Science Park, People's Park, May Day Square, City Museum, Software Park, Olympic Center, Old Street, North Bus Terminal, Riverside Park"
    ),
    "compound": [
        f"{a} {b}"
        for a in words(
            "Sunshine Bluewater Jinjiang Jade Lake Golden Crabapple Royal View Lidu Greenfield Oriental Bauhinia Peach Garden"
        )
        for b in ("Gardens", "Residences", "Court", "Villas")
    ],
    "school": [
        f"{p} {s}"
        for p in words("City Dongcheng Xihu Nan'an Jiangbei Binjiang Gaoxin Hexi Qingshan Longhua")
        for s in (
            "No. 1 Middle School",
            "No. 3 Middle School",
            "Experimental Primary School",
            "Foreign Language School",
        )
    ],
    "hospital": phrases(
        "City No. 1 People's Hospital, City No. 2 People's Hospital, City Hospital of Traditional Chinese Medicine, City Maternal and Child Health Hospital, City Children's Hospital, City Cancer Hospital, City Dental Hospital, City Infectious Disease Hospital"
    ),
    "vaccine": phrases("flu, rabies, DTaP, hepatitis B, HPV, chickenpox, pneumococcal, polio, measles, rotavirus"),
    "food": phrases(
        "crayfish, pork, rice, eggs, strawberries, watermelon, milk, flour, cooking oil, noodles, sausages, seaweed, tofu, honey, mushrooms"
    ),
    "harmful": phrases(
        "plastic, clenbuterol, formaldehyde, Sudan red dye, industrial gelatin, parasites, heavy metals, wax"
    ),
    "market": phrases("wet market, farmers' market, wholesale market, supermarket, night market, morning market"),
    "disaster": phrases("super typhoon, record rainstorm, blizzard, hailstorm, sandstorm, cold wave, tornado"),
    "animal": words("tiger bear wolf monkey python crocodile leopard"),
    "park": phrases("City Zoo, Forest Park, Wetland Park, Wildlife Park, People's Park"),
    "subject": phrases("PE, English listening, physics lab, geography, biology, IT"),
    "cure": phrases("cure cancer, lower blood pressure, cure diabetes, clean the lungs, detox the liver, prevent flu"),
    "offense": phrases(
        "using a phone while driving, not wearing a seat belt, not yielding to pedestrians, using high beams, honking"
    ),
    "vendor": phrases("street vendors, breakfast carts, late-night food stalls, barbecue stalls, tricycle sellers"),
}

# As ZH_TEMPLATES, with EN's slots.
EN_TEMPLATES = [
    (
        "metro",
        "Metro {line} will [shut down completely|close entirely|stop running] from {mdate} for {n} months of [renovation|repairs|upgrades], [commuters should plan ahead|plan your commute|find another way to work]",
        "The Metro Group says {line} runs as usual; from {mdate} only overnight maintenance takes place at {station} station, with no change to hours or frequency",
        "Metro {line} closing for {n} months",
        ["{line}", "shut down", "{n} months"],
    ),
    (
        "metro",
        "The tunnel at {station} station on Metro {line} [collapsed|caved in] and trains no longer stop there",
        "The hoarding near {station} station on {line} is for utility pipe works; the station is open and trains stop as usual. No collapse happened",
        "{station} station on {line} collapsed",
        ["{station}", "{line}", "collapsed"],
    ),
    (
        "metro",
        "Metro fares go up from {month}, the base fare on {line} becomes {n} yuan and [seniors must pay too|senior cards are no longer free|student discounts end]",
        "The Development and Reform Commission says metro fares are unchanged; {line} still charges by distance and free rides for seniors continue",
        "Base fare on {line} rising to {n} yuan",
        ["{line}", "fare", "{n} yuan"],
    ),
    (
        "water",
        "Water will be cut off around {road} Road in {district} District for {n} days from {mdate}, [store water now|fill your bathtubs|buy bottled water]",
        "The Water Group says the supply around {road} Road in {district} District stops for about {h} hours on {mdate} for pipe repairs, not for {n} days",
        "{n}-day water cut on {road} Road",
        ["{road} road", "water", "{n} days"],
    ),
    (
        "water",
        "Tap water at {compound} [turned yellow|smells strange|looks brown] and tests found {harmful}, [drinking it causes cancer|do not drink it|children got sick]",
        "Tests of the tap water at {compound} met every national standard; the yellow colour came briefly after the building's water tank was cleaned",
        "{harmful} in tap water at {compound}",
        ["{compound}", "tap water", "{harmful}"],
    ),
    (
        "schools",
        "A student at {school} has an infectious disease and the whole school closes for a week from tomorrow",
        "The {district} education bureau says classes at {school} continue normally; there is no outbreak and no closure is planned",
        "{school} closing for a week",
        ["{school}", "closes"],
    ),
    (
        "schools",
        "The high school entrance exam drops {subject} this year and its score no longer counts[| anymore|, parents can stop paying for tutoring]",
        "The exam authority says this year's subjects and points are the same as last year's and {subject} still counts towards the total",
        "{subject} dropped from the entrance exam",
        ["entrance exam", "{subject}", "drops"],
    ),
    (
        "vaccines",
        "The {vaccine} vaccine given to children at {hospital} had expired and {n} kids are in hospital [with fever|with reactions|in serious condition]",
        "The health commission checked {hospital}: every {vaccine} vaccine dose was within its expiry date, and no adverse reaction was reported",
        "Expired {vaccine} vaccine at {hospital}",
        ["{vaccine} vaccine", "expired", "{hospital}"],
    ),
    (
        "vaccines",
        "You must not shower for {n} days after a {vaccine} vaccine or the vaccine stops working[|, doctors never tell you this]",
        "The CDC says keeping the injection site clean on the day is enough; a shower does not make the {vaccine} vaccine stop working",
        "No shower for {n} days after a {vaccine} shot",
        ["{vaccine}", "shower", "{n} days"],
    ),
    (
        "pensions",
        "All pensions rise by {pct}% from {year} and {district} District has already started back payments[|, check your account]",
        "The human resources and social security bureau says the {year} pension adjustment has not been announced and no back payments have started in {district} District",
        "Pensions up {pct}% in {year}",
        ["pensions", "{pct}%", "{year}"],
    ),
    (
        "pensions",
        "Retirees must verify their eligibility at the community office before {mdate} or their pension [stops|is frozen|is suspended]",
        "Pension eligibility can be verified on a phone at any time within the year; {mdate} is not a deadline and no pension stops because of it",
        "Pension stops without verification before {mdate}",
        ["pension", "verify", "{mdate}"],
    ),
    (
        "insurance",
        "The balance of personal medical insurance accounts will be [wiped|cleared|reset to zero] at the end of {year}, [spend it at a pharmacy now|use it before it is gone]",
        "The medical security bureau says the balance belongs to the account holder, carries over every year and can be inherited; it is never wiped",
        "Medical insurance balances wiped at the end of {year}",
        ["medical insurance", "balance", "wiped"],
    ),
    (
        "food safety",
        "{food} sold at the {market} in {district} District contains {harmful} and people ended up in hospital",
        "The market regulator tested {food} from the {market} in {district} District: the samples passed and no {harmful} was found; no hospital cases were reported",
        "{harmful} in {food} at the {district} {market}",
        ["{food}", "{harmful}", "{district}"],
    ),
    (
        "food safety",
        "Eating {food} together with {food2} is poisonous, {hospital} has treated [several cases|a family of three|many patients]",
        "Nutritionists say {food} and {food2} can be eaten together safely; {hospital} has treated no such case",
        "{food} with {food2} is poisonous",
        ["{food}", "{food2}", "poisonous"],
    ),
    (
        "weather",
        "A {disaster} hits the city on {mdate}, all work and schools stop for three days[|, stock up on food]",
        "The meteorological observatory forecasts mostly cloudy weather around {mdate}, has issued no {disaster} warning, and the closure notice is fake",
        "{disaster} on {mdate} closes the city",
        ["{disaster}", "{mdate}", "schools"],
    ),
    (
        "weather",
        "The forecast says {district} District reaches {n} degrees this weekend, breaking the all-time record",
        "The observatory forecasts a high of about {m} degrees in {district} District this weekend; the {n} degree screenshot was edited from another city's forecast",
        "{n} degrees in {district} this weekend",
        ["{district}", "{n} degrees"],
    ),
    (
        "traffic",
        "From {mdate} e-bikes are banned on {road} Road all day, with a {amount} yuan fine[| and the bike confiscated]",
        "The traffic police say there is no e-bike ban on {road} Road; the notice is an old document from another city with the names changed",
        "E-bike ban on {road} Road",
        ["e-bikes", "{road} road", "banned"],
    ),
    (
        "traffic",
        "The new cameras at {road} Road and {road2} Road catch drivers {offense}, {n} points and a {amount} yuan fine",
        "The traffic police say the new devices at {road} Road and {road2} Road count traffic and cannot catch drivers {offense}",
        "Cameras at {road} and {road2} catch {offense}",
        ["cameras", "{road}", "{road2}"],
    ),
    (
        "traffic",
        "The {road} Road bridge in {district} District has cracks and closes for {n} months from {mdate}[|, it could fall at any time]",
        "The {district} housing and construction bureau says the {road} Road bridge is structurally safe; only routine joint maintenance closes half of it at night",
        "{road} Road bridge cracked and closing",
        ["{road} road", "bridge", "cracks"],
    ),
    (
        "scams",
        "Social security cards not upgraded before {mdate} become invalid, [upgrade through this link|click the link below|enter your ID number at this link]",
        "Social security cards need no upgrade; the bureau never handles cards through text message links, and such links are scams",
        "Social security cards invalid after {mdate}",
        ["social security card", "upgrade", "invalid"],
    ),
    (
        "scams",
        "Police in {district} District say WeChat transfers above {amount} yuan must be registered at a police station from {month}",
        "The {district} police say they never issued such a notice; WeChat transfers need no registration and fake police notices are often scams",
        "WeChat transfers above {amount} yuan registered",
        ["wechat transfers", "registered", "{amount} yuan"],
    ),
    (
        "housing",
        "{compound} in {district} District will be demolished in {year} with {amount} yuan compensation per square meter",
        "The {district} expropriation office says {compound} is in no demolition plan and the compensation figure is invented",
        "{compound} to be demolished in {year}",
        ["{compound}", "demolished", "compensation"],
    ),
    (
        "safety",
        "A white van is snatching children near {road} Road in {district} District, {n} already taken[|, watch your kids]",
        "The {district} police investigated: no child was snatched near {road} Road, and the video is an old one from elsewhere",
        "White van snatching children on {road} Road",
        ["white van", "children", "{road} road"],
    ),
    (
        "health",
        "{hospital} stops general outpatient clinics from {mdate}, only specialist appointments remain",
        "{hospital} says general outpatient clinics stay open; from {mdate} only some departments change their hours",
        "{hospital} ends general clinics",
        ["{hospital}", "outpatient", "specialist"],
    ),
    (
        "health",
        "Eating {food} every day can {cure}, doctors at {hospital} say so[|, better than medicine]",
        "{hospital} says none of its doctors said this; {food} is ordinary food and cannot {cure}",
        "{food} can {cure}",
        ["{food}", "{cure}"],
    ),
    (
        "animals",
        "A {animal} escaped from the {park} and is roaming {district} District, [stay indoors|keep your children inside]",
        "The {park} says all its animals are accounted for and no {animal} escaped; the photo is an old one from another country",
        "{animal} escaped from the {park}",
        ["{animal}", "escaped", "{park}"],
    ),
    (
        "power",
        "All of {district} District loses power for {n} hours tonight, [empty your fridge|charge your phones now]",
        "The power company says only one line near {road} Road in {district} District is being repaired, with about {h} hours without power for a few buildings",
        "{district} District without power for {n} hours",
        ["{district}", "power", "{n} hours"],
    ),
    (
        "power",
        "Gas prices rise {pct}% from {mdate} and {district} District already charges the new price",
        "Household gas prices are unchanged; the gas company in {district} District still charges the old price",
        "Gas prices up {pct}%",
        ["gas prices", "{pct}%", "{district}"],
    ),
    (
        "city management",
        "{district} District bans all {vendor} from {month}, their goods will be confiscated",
        "The {district} city management bureau says {vendor} may trade at designated spots; there is no general ban and the notice is fake",
        "{district} bans {vendor}",
        ["{district}", "bans", "{vendor}"],
    ),
    (
        "buses",
        "Bus route {n} in {district} District [stops running|is cancelled] from {mdate}, no more buses to {station}",
        "The bus company says route {n} only takes a detour during works on {road} Road; the {station} stop stays "
        "and the route is not cancelled",
        "Bus route {n} cancelled",
        ["route {n}", "bus", "cancelled"],
    ),
    (
        "taxis",
        "Taxi base fares rise to {amount} yuan from {month}, [ride-hailing goes up too|night fares double]",
        "The transport bureau says taxi fares are unchanged and the base fare stays at the current rate",
        "Taxi base fare rising to {amount} yuan",
        ["taxi", "base fare", "{amount} yuan"],
    ),
    (
        "deliveries",
        "All parcel deliveries in {district} District stop from {mdate} for {n} days",
        "The postal administration says couriers in {district} District deliver as usual; only some depots changed "
        "opening hours after a move",
        "Parcel deliveries stopped in {district}",
        ["parcel", "{district}", "deliveries"],
    ),
    (
        "jobs",
        "{hospital} is hiring {n} caregivers with free board and {amount} yuan a month, pay a registration fee to "
        "start",
        "{hospital} never published this job advert and never charges any fee; beware of job scams",
        "{hospital} caregiver jobs with a fee",
        ["{hospital}", "hiring", "registration fee"],
    ),
    (
        "fire",
        "A huge fire at the {market} on {road} Road [killed {n} people|left several dead], [it is still burning|smoke "
        "everywhere]",
        "The {district} fire brigade says only a billboard at the {market} on {road} Road smoked briefly; it was put "
        "out quickly and nobody was hurt",
        "Deadly fire at the {road} Road {market}",
        ["fire", "{market}", "{road} road"],
    ),
    (
        "earthquakes",
        "[The earthquake bureau|Experts] predict a magnitude {n} earthquake in {district} District on {mdate}, "
        "[prepare an emergency bag|don't sleep too deeply]",
        "The earthquake bureau says earthquakes cannot be predicted with today's science and it issued no such "
        "forecast",
        "Magnitude {n} quake predicted for {district}",
        ["earthquake", "{district}", "magnitude {n}"],
    ),
    (
        "rail",
        "Train tickets go up {pct}% from {mdate}, [student discounts end|buy your holiday tickets now]",
        "The railway operator says ticket prices are unchanged and student discounts continue; the notice is fake",
        "Train tickets up {pct}% from {mdate}",
        ["train tickets", "{pct}%"],
    ),
    (
        "recycling",
        "{district} District fines residents {amount} yuan for sorting rubbish wrongly from {month}, [cameras watch the bins|building managers report you]",
        "The {district} city management bureau says sorting rules are enforced by guidance; the fine quoted is not its rule and nobody is asked to film residents",
        "{amount} yuan fine for rubbish sorting in {district}",
        ["rubbish", "fine", "{district}"],
    ),
    (
        "dogs",
        "{district} District bans large dogs from {mdate}, [owners must give them up|officers will take them away]",
        "The {district} police say the dog rules are unchanged; registered dogs can be kept and there is no ban",
        "Large dogs banned in {district}",
        ["{district}", "dogs", "ban"],
    ),
    (
        "parking",
        "Street parking on {road} Road costs {n}0 yuan an hour from {mdate}, [even at night|no free hours left]",
        "The parking management center says the street parking fees on {road} Road are unchanged and the night rule still applies",
        "{n}0 yuan an hour parking on {road} Road",
        ["parking", "{road} road", "{n}0 yuan"],
    ),
    (
        "ID cards",
        "Old ID cards become invalid from {month} {year}, [you won't be able to take the train|your bank card gets frozen]",
        "The police say second-generation ID cards remain valid until their expiry date; there is no general cancellation",
        "Old ID cards invalid from {month} {year}",
        ["id cards", "invalid", "{year}"],
    ),
    (
        "banks",
        "From {month} bank deposits above {amount} yuan must [be explained|be taxed], [withdraw your cash now|or the account is frozen]",
        "The financial regulator says ordinary deposits need no explanation and are not taxed",
        "Deposits above {amount} yuan must be explained",
        ["deposits", "{amount} yuan", "bank"],
    ),
    (
        "telecoms",
        "The 5G mast on the roof of {compound} gives off dangerous radiation, [{n} residents got cancer|children have nosebleeds]",
        "Tests of the mast at {compound} found radiation far below the national limit; there is no evidence for the illness claims",
        "5G mast at {compound} causes cancer",
        ["5g", "{compound}", "radiation"],
    ),
    (
        "heating",
        "Heating in {district} District [starts late this year|is cancelled this winter], [not until {mdate}|but you still pay]",
        "The heating company says heating in {district} District starts on time; the notice is an old one from another city",
        "Heating delayed in {district}",
        ["heating", "{district}"],
    ),
]

# Where the forward says it comes from: put before some claims, as rumors quote their "sources".
ZH_SOURCES = [
    "听{小区}的业主说，",
    "{区}{路}那边已经贴出通知了：",
    "据说是{医院}内部人员透露的：",
    "我{亲戚}在{单位}上班，亲口说的：",
    "{区}街道办刚开完会，",
]
EN_SOURCES = [
    "My {relative} works at {workplace} and confirmed it: ",
    "Neighbours at {compound} say: ",
    "A notice is already up on {road} Road: ",
    "Heard from a nurse at {hospital}: ",
]
ALTERNATIVES = re.compile(r"\[([^\]]*)\]")

MONTHS = words("January February March April May June July August September October November December")

# --- Words around a claim: titles, bodies, forwards ----------------------------------------------

ZH_TITLE = {
    "false": ["网传“{s}”？不实", "“{s}”系谣言", "辟谣：{s}？假的", "“{s}”？别信"],
    "misleading": ["“{s}”？说法有误导", "“{s}”？真相并非如此"],
    "partly_false": ["“{s}”？部分不实", "“{s}”？不完全准确"],
    "unproven": ["“{s}”？目前没有依据", "“{s}”？尚无证据"],
    "true": ["“{s}”？确有其事，但请注意细节", "“{s}”？情况属实"],
}
ZH_VERDICT_LEAD = {
    "false": "经核实，该说法不实。",
    "misleading": "该说法具有误导性。",
    "partly_false": "该说法部分不实。",
    "unproven": "目前没有证据支持该说法。",
    "true": "该消息基本属实，但细节有出入。",
}
ZH_BODY_OPEN = [
    "近日，有网民在微信群、朋友圈转发消息称：“{c}”。",
    "近期，一则“{s}”的消息在多个业主群中流传。",
    "{d}，网上出现一条消息，称“{c}”，引发不少市民关注。",
    "有市民向我们反映，收到亲友转发的消息：“{c}”。",
]
ZH_BODY_FILL = [
    "记者随即联系了相关部门进行核实。",
    "该消息转发量较大，不少市民信以为真。",
    "经查，网传内容系拼凑而成，配图也与本地无关。",
    "相关部门已对造谣者进行批评教育。",
    "公安机关提醒，编造、故意传播虚假信息将依法承担法律责任。",
    "请广大市民通过官方渠道获取信息，不信谣、不传谣。",
    "如有疑问，可拨打12345市民服务热线咨询。",
    "官方发布的通知均会在政府网站和政务新媒体同步公开。",
    "此前类似说法已在其他城市多次出现，均被证实为谣言。",
    "市民如发现可疑信息，可向网信部门举报。",
    "目前，相关工作正在有序推进。",
    "针对市民关心的问题，有关部门将继续及时发布权威信息。",
]
ZH_FORWARD_HEAD = [
    "【重要通知，请务必转发】",
    "各位亲朋好友：",
    "家人们！",
    "【扩散】",
    "紧急扩散！！！",
    "刚刚收到的消息：",
    "群里都在传，",
    "朋友圈看到的，大家注意！",
    "速看！马上要删了",
    "@所有人",
    "【紧急通知】",
    "我朋友在单位上班，内部消息：",
    "早安🌞各位邻居",
    "转自业主群：",
    "已经证实了！",
    "亲们注意了‼️",
    "各位家长请注意：",
    "提醒一下大家：",
    "重要的事情说三遍！",
    "紧急提醒📢",
]
ZH_FORWARD_TAIL = [
    "转给你关心的人🙏",
    "，不转不是中国人",
    "看完转发给家里老人",
    "大家互相转告一下",
    "为了家人，请转发",
    "收到请回复",
    "扩散出去！！",
    "宁可信其有🙏",
    "转发积德🌹",
    "转起来让更多人知道",
    "看到的都转一下吧",
    "真的假的？谁知道",
    "赶紧告诉身边的人",
    "多转几个群",
    "不转后悔！",
]
ZH_CHATTER = [
    "今天天气不错，大家出门注意防晒。",
    "晚上一起吃饭吗？",
    "孩子作业写完了没有。",
    "最近菜价又涨了。",
    "周末有空来家里坐坐。",
    "祝大家身体健康，万事如意！",
    "早上好，新的一天开心每一天！",
    "这个视频太搞笑了哈哈哈。",
    "群里有没有人知道哪里修手机便宜？",
    "我家楼下新开了一家面馆，味道还可以。",
    "明天记得带伞。",
    "老人家要多注意身体。",
    "我也是刚看到，不知道真假。",
    "快递又被放到门卫了。",
    "谁家的猫丢了？在三楼楼梯口。",
    "小区门口在修路，开车绕一下。",
    "中午吃什么好呢。",
    "今年过年回老家吗？",
    "大家帮忙投个票，谢谢！",
    "好久没见了，都挺好吧。",
    "有需要买水果的可以找我，新鲜到货。",
    "这周六社区有义诊，需要的可以去看看。",
    "现在的年轻人都不爱做饭了。",
    "感谢群主分享！",
    "收到，谢谢提醒。",
]
ZH_ADVICE = [
    "这是我表姐在单位上班的同事说的，应该是真的。",
    "大家一定要注意安全，特别是家里有老人孩子的。",
    "现在外面乱七八糟的消息太多了，自己多留个心眼。",
    "听说隔壁小区已经有人开始准备了。",
    "官方还没有通知，但是早做准备总没错。",
    "我问了好几个朋友，他们也都收到了。",
    "家里有学生的更要注意。",
    "上次也是这样，后来果然出事了。",
    "建议大家提前安排好出行。",
    "有车的朋友注意一下。",
    "听说明天就要正式发文件了。",
    "群里有在相关单位上班的吗？帮忙确认一下。",
    "这种事情宁可信其有。",
    "我妈让我赶紧发到家族群里。",
    "信不信由你，反正我是转了。",
    "大家看完记得告诉家里人。",
]
ZH_EMOJI = ["🙏", "🔥", "‼️", "😱", "👇", "🌹", "💪", "⚠️", "📢", "❗", "😭", "👍"]

EN_TITLE = {
    "false": ["False: {s}", "No, {s_lower} is not true", "Rumor: {s}? Not true"],
    "misleading": ["Misleading: {s}", "{s}? The claim misleads"],
    "partly_false": ["Partly false: {s}", "{s}? Only partly true"],
    "unproven": ["Unproven: {s}", "{s}? No evidence so far"],
    "true": ["True, with details: {s}", "{s}? Largely accurate"],
}
EN_VERDICT_LEAD = {
    "false": "This claim is false.",
    "misleading": "This claim is misleading.",
    "partly_false": "This claim is partly false.",
    "unproven": "There is no evidence for this claim.",
    "true": "This claim is largely accurate, but some details are wrong.",
}
EN_BODY_OPEN = [
    'A message shared in group chats claims: "{c}."',
    'Residents have been forwarding a post saying "{c}."',
    'On {d}, a post claiming "{c}" began to circulate on social media.',
    'We received several questions about a message that says "{c}."',
]
EN_BODY_FILL = [
    "We contacted the relevant departments to check.",
    "The message was widely shared and many residents believed it.",
    "The image attached to the post shows another city.",
    "Official notices are always published on the government website and its official accounts.",
    "Please get information from official channels and do not forward unverified messages.",
    "Residents with questions can call the 12345 citizen hotline.",
    "Similar claims have circulated in other cities and were found false there too.",
    "Police remind the public that spreading false information can be punished by law.",
    "Suspicious messages can be reported to the internet information office.",
    "The departments concerned will keep publishing accurate information.",
]
EN_FORWARD_HEAD = [
    "FWD:",
    "Fwd: Fwd:",
    "URGENT!!!",
    "Dear all,",
    "Hi everyone,",
    "Copied from a friend's post:",
    "This is real, my cousin works for the city:",
    "PLEASE READ AND SHARE",
    "Breaking:",
    "Don't ignore this!",
    "Just got this from the group chat:",
    "Good morning all 🌞",
    "Attention parents!",
    "Important notice:",
    "Forwarded many times",
    "Heads up neighbours ⚠️",
    "IMPORTANT - read to the end",
    "Received from the residents' group:",
    "Hello friends and family,",
    "Warning!!",
]
EN_FORWARD_TAIL = [
    "Please share!!",
    "Forwarded as received",
    "Share with your family and friends",
    "Pass it on 🙏",
    "Stay safe everyone ❤️",
    "Type AMEN and share",
    "Not sure if true but better safe than sorry",
    "Spread the word!",
    "Share before they delete it",
    "Tell everyone you know",
    "Forward to all your groups",
    "Is this true??",
    "Please forward to the elderly",
    "Thank you for sharing 🙏",
    "Copy and paste, don't just like",
]
EN_CHATTER = [
    "Lovely weather today, don't forget sunscreen.",
    "Anyone up for dinner tonight?",
    "Did the kids finish homework?",
    "Vegetable prices went up again.",
    "Come over this weekend if you are free.",
    "Wishing everyone good health!",
    "Good morning, have a happy day!",
    "This video is hilarious haha.",
    "Does anyone know a cheap phone repair shop?",
    "A new noodle place opened downstairs, it's not bad.",
    "Remember to bring an umbrella tomorrow.",
    "Take care of the elderly at home.",
    "I only just saw this, no idea if it's true.",
    "My parcel was left at the gate again.",
    "Whose cat is lost? It's on the third floor stairs.",
    "They are fixing the road at the gate, drive around.",
    "What's for lunch?",
    "Going home for the holidays?",
    "Please vote for my niece, thanks!",
    "Long time no see, hope all is well.",
    "Fresh fruit delivered, message me.",
    "Free health check at the community center on Saturday.",
    "Thanks for sharing!",
    "Got it, thanks for the heads up.",
]
EN_ADVICE = [
    "My cousin's colleague works there and says it's true.",
    "Please be careful, especially with kids and elderly.",
    "So many rumors going around, but this one seems real.",
    "Apparently the next building is already preparing.",
    "Nothing official yet, but better to prepare early.",
    "I asked a few friends and they got the same message.",
    "Families with students should pay extra attention.",
    "Last time they said the same and it happened.",
    "Plan your trips ahead of time.",
    "Drivers, take note.",
    "They say the official notice comes out tomorrow.",
    "Anyone here work for the city? Can you confirm?",
    "Better safe than sorry with this kind of thing.",
    "My mom told me to post it in the family group.",
    "Believe it or not, I'm passing it on.",
    "Tell your family after reading this.",
]
EN_EMOJI = ["🙏", "🔥", "‼️", "😱", "👇", "❤️", "💪", "⚠️", "📢", "❗", "😭", "👍"]


def link(rng):
    path = "".join(rng.choices(string.ascii_letters + string.digits, k=rng.randint(8, 22)))
    return (
        rng.choice(["https://mp.weixin.qq.com/s/", "https://t.cn/", "http://bit.ly/", "https://v.douyin.com/"]) + path
    )


def pick_verdict(rng):
    return rng.choices([v for v, _ in VERDICTS], weights=[w for _, w in VERDICTS])[0]


def random_day(rng):
    return date(2021, 1, 1) + timedelta(days=rng.randint(0, 5 * 365))


def zh_slots(rng):
    slots = {name: rng.choice(values) for name, values in ZH.items()}
    slots["路2"] = rng.choice([r for r in ZH["路"] if r != slots["路"]])
    slots["食品2"] = rng.choice([f for f in ZH["食品"] if f != slots["食品"]])
    day = random_day(rng)
    slots.update(
        月=str(day.month),
        日=str(day.day),
        年=str(rng.randint(2024, 2027)),
        n=str(rng.randint(2, 12)),
        m=str(rng.randint(25, 33)),
        h=str(rng.randint(3, 8)),
        pct=str(rng.randint(3, 15)),
        金额=str(rng.choice([50, 100, 200, 500, 1000, 2000, 3000, 5000, 8000, 10000, 20000])),
    )
    if "n" in slots and slots["n"] == slots["m"]:
        slots["m"] = str(int(slots["m"]) - 1)
    return slots, day


def en_slots(rng):
    slots = {name: rng.choice(values) for name, values in EN.items()}
    slots["road2"] = rng.choice([r for r in EN["road"] if r != slots["road"]])
    slots["food2"] = rng.choice([f for f in EN["food"] if f != slots["food"]])
    day = random_day(rng)
    slots.update(
        month=MONTHS[day.month - 1],
        mdate=f"{MONTHS[day.month - 1]} {day.day}",
        year=str(rng.randint(2024, 2027)),
        n=str(rng.randint(2, 12)),
        m=str(rng.randint(25, 33)),
        h=str(rng.randint(3, 8)),
        pct=str(rng.randint(3, 15)),
        amount=str(rng.choice([50, 100, 200, 500, 1000, 2000, 3000, 5000, 8000, 10000, 20000])),
    )
    return slots, day


def fill(template, slots, rng=None):
    """The template with its slots filled and, given ``rng``, one of each [a|b|c] chosen (the wording varies)."""
    if rng:
        template = ALTERNATIVES.sub(lambda match: rng.choice(match.group(1).split("|")), template)
    return template.format(**slots)


def event(claim_template, slots):
    """What makes two claims the same rumor: the template and its slots, whatever the wording chosen."""
    return fill(ALTERNATIVES.sub(lambda match: match.group(1).split("|")[0], claim_template), slots)


def zh_clarification(rng, template, number):
    topic, claim_t, truth_t, short_t, keywords_t = template
    slots, day = zh_slots(rng)
    claim = fill(claim_t, slots, rng) + rng.choice(["。", "！", "！！", "。"])
    if rng.random() < 0.35:
        claim = fill(rng.choice(ZH_SOURCES), slots) + claim
    short = fill(short_t, slots)
    verdict = pick_verdict(rng)
    truth = ZH_VERDICT_LEAD[verdict] + fill(truth_t, slots) + "。"
    title = rng.choice(ZH_TITLE[verdict]).format(s=short)
    seen = f"{day.year}年{day.month}月{day.day}日"
    opening = rng.choice(ZH_BODY_OPEN).format(c=claim.rstrip("。！"), s=short, d=seen)
    fills = rng.sample(ZH_BODY_FILL, rng.randint(2, 5))
    body = "\n\n".join([opening + fills[0], fill(truth_t, slots) + "。" + "".join(fills[1:3]), "".join(fills[3:])])
    return {
        "external_id": f"relevance-zh-{number:04d}",
        "language": "zh-hans",
        "topic": topic,
        "verdict": verdict,
        "title": title,
        "claim": claim,
        "truth": truth,
        "body": body.strip(),
        "keywords": [fill(k, slots) for k in keywords_t],
        "event": event(claim_t, slots),
        "seen_on": day.isoformat(),
    }


def en_clarification(rng, template, number):
    topic, claim_t, truth_t, short_t, keywords_t = template
    slots, day = en_slots(rng)
    claim = fill(claim_t, slots, rng)
    claim = claim[0].upper() + claim[1:] + rng.choice([".", "!", "!!", "."])
    if rng.random() < 0.35:
        claim = fill(rng.choice(EN_SOURCES), slots) + claim
    short = fill(short_t, slots)
    short = short[0].upper() + short[1:]
    verdict = pick_verdict(rng)
    truth = EN_VERDICT_LEAD[verdict] + " " + fill(truth_t, slots) + "."
    title = rng.choice(EN_TITLE[verdict]).format(s=short, s_lower=short[0].lower() + short[1:])
    seen = f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    opening = rng.choice(EN_BODY_OPEN).format(c=claim.rstrip(".!"), d=seen)
    fills = rng.sample(EN_BODY_FILL, rng.randint(2, 5))
    body = "\n\n".join(
        [opening + " " + fills[0], fill(truth_t, slots) + ". " + " ".join(fills[1:3]), " ".join(fills[3:])]
    )
    return {
        "external_id": f"relevance-en-{number:04d}",
        "language": "en",
        "topic": topic,
        "verdict": verdict,
        "title": title,
        "claim": claim,
        "truth": truth,
        "body": body.strip(),
        "keywords": [fill(k, slots).lower() for k in keywords_t],
        "event": event(claim_t, slots),
        "seen_on": day.isoformat(),
    }


def clarifications(rng):
    out = []
    for language, make, templates in (
        ("zh-hans", zh_clarification, ZH_TEMPLATES),
        ("en", en_clarification, EN_TEMPLATES),
    ):
        events = set()
        while len(events) < COUNTS[language]:
            item = make(rng, rng.choice(templates), len(events) + 1)
            key = item.pop("event")
            if key not in events:  # one clarification per rumor, whatever its wording
                events.add(key)
                out.append(item)
    return out


def full_text(item):
    return "\n".join((item["title"], item["claim"], item["truth"], item["body"])).lower()


# --- Queries -------------------------------------------------------------------------------------


def sprinkle_emoji(rng, text, emoji):
    return text + "".join(rng.choices(emoji, k=rng.randint(1, 3)))


def pasted(rng, item):
    """The claim as forwarded: a heading, maybe a greeting line, the claim, an aside, a link, a tail."""
    zh = item["language"] == "zh-hans"
    head = ZH_FORWARD_HEAD if zh else EN_FORWARD_HEAD
    tail = ZH_FORWARD_TAIL if zh else EN_FORWARD_TAIL
    chatter = ZH_CHATTER if zh else EN_CHATTER
    emoji = ZH_EMOJI if zh else EN_EMOJI
    parts = [sprinkle_emoji(rng, rng.choice(head), emoji) if rng.random() < 0.5 else rng.choice(head)]
    if rng.random() < 0.4:
        parts.append(rng.choice(chatter))
    parts.append(item["claim"])
    if rng.random() < 0.5:
        parts.append(rng.choice(chatter))
    if rng.random() < 0.5:
        parts.append(link(rng))
    parts.append(sprinkle_emoji(rng, rng.choice(tail), emoji))
    separator = rng.choice(["\n", "\n\n", "" if zh else " "])
    return separator.join(parts)


def long_paste(rng, item):
    """A real-length forward: 300 to 2,000 characters of preamble, advice and chatter around the claim."""
    zh = item["language"] == "zh-hans"
    head = ZH_FORWARD_HEAD if zh else EN_FORWARD_HEAD
    tail = ZH_FORWARD_TAIL if zh else EN_FORWARD_TAIL
    filler = (ZH_CHATTER + ZH_ADVICE) if zh else (EN_CHATTER + EN_ADVICE)
    emoji = ZH_EMOJI if zh else EN_EMOJI
    target = rng.randint(300, 2000)
    before, after = [], []
    length = len(item["claim"]) + 60
    deck = []
    while length < target:
        if not deck:  # every sentence once before any repeats
            deck = rng.sample(filler, len(filler))
        sentence = deck.pop()
        if rng.random() < 0.15:
            sentence = sprinkle_emoji(rng, sentence, emoji)
        (before if rng.random() < 0.5 else after).append(sentence)
        length += len(sentence) + 1
    joiner = "" if zh else " "
    opening, closing = [rng.choice(head), rng.choice(head)], [sprinkle_emoji(rng, rng.choice(tail), emoji)]
    if rng.random() < 0.6:
        closing.insert(0, link(rng))
    while True:
        lines = list(opening)
        for chunk in (before, [item["claim"]], after):
            lines += [joiner.join(chunk[start : start + 4]) for start in range(0, len(chunk), 4)]
        text = "\n".join(line for line in lines + closing if line)
        if len(text) <= 2000:  # the longest a tip may be
            return text
        (after if len(after) > len(before) else before).pop()


def keywords(rng, item, texts):
    """2 to 4 of the clarification's own key words, that only it contains all of (else None)."""
    words = list(item["keywords"])
    rng.shuffle(words)
    own = full_text(item)
    for size in range(2, min(4, len(words)) + 1):
        chosen = [word.lower() for word in words[:size]]
        if all(word in own for word in chosen) and sum(1 for t in texts if all(w in t for w in chosen)) == 1:
            return " ".join(words[:size])
    return None


def partial(rng, item, texts):
    """A fragment of the claim that no other clarification contains (else None)."""
    claim = item["claim"].rstrip("。！.!")
    zh = item["language"] == "zh-hans"
    for _ in range(20):
        if zh:  # a clause or two as copied, else any 10 to 24 characters
            clauses = claim.split("，")
            start = rng.randrange(len(clauses))
            fragment = "，".join(clauses[start : start + rng.randint(1, 2)])
            if not 8 <= len(fragment) <= 24 or rng.random() < 0.3:
                size = rng.randint(min(10, len(claim)), min(24, len(claim)))
                start = rng.randint(0, len(claim) - size)
                fragment = claim[start : start + size]
        else:
            words = claim.split()
            size = rng.randint(min(4, len(words)), min(9, len(words)))
            start = rng.randint(0, len(words) - size)
            fragment = " ".join(words[start : start + size])
        if sum(1 for t in texts if fragment.lower() in t) == 1:
            return fragment.strip(" ，,")
    return None


def queries(rng, items):
    texts = [full_text(item) for item in items]
    out = []
    for language in ("zh-hans", "en"):
        pool = [item for item in items if item["language"] == language]
        for kind in CLASSES:
            order = rng.sample(pool, len(pool))
            made = 0
            for item in order:
                if made == QUERIES_PER_CLASS[language]:
                    break
                if kind == "pasted":
                    text = pasted(rng, item)
                elif kind == "long":
                    text = long_paste(rng, item)
                elif kind == "keywords":
                    text = keywords(rng, item, texts)
                else:
                    text = partial(rng, item, texts)
                if text:
                    made += 1
                    out.append({"class": kind, "language": language, "text": text, "expected": item["external_id"]})
    return out


def write(path, rows):
    with gzip.GzipFile(path, "wb", mtime=0) as raw:  # mtime 0: the same content gives the same bytes
        for row in rows:
            raw.write((json.dumps(row, ensure_ascii=False) + "\n").encode())


def main():
    rng = random.Random(SEED)
    items = clarifications(rng)
    qs = queries(rng, items)
    for item in items:
        assert not re.search(r"[{}]", item["claim"] + item["truth"] + item["title"]), item
    write(CLARIFICATIONS_FILE, items)
    write(QUERIES_FILE, qs)
    print(f"{len(items)} clarifications, {len(qs)} queries written to {HERE.name}/")


if __name__ == "__main__":
    main()
