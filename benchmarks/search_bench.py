"""Search benchmark: ranked full-text search against a naive icontains scan, on SQLite and PostgreSQL.

Generates N synthetic clarifications (a mix of Chinese and English, of realistic lengths) into
throwaway databases, builds the search index, then times a fixed mix of queries through the list
page's code path (the FilterSet, the count, the first page of 20 and its snippets) and the same
queries with the naive ``icontains`` scan of the first version, in the same run.

    python benchmarks/search_bench.py                       # 100,000 on SQLite only
    python benchmarks/search_bench.py --count 10000 --postgres postgres://user@host:5432/dbname

SQLite goes to a file in a temporary folder, deleted at the end. PostgreSQL: the database named by
``--postgres`` is used, but only inside a schema of its own (``piyao_bench``), dropped at the end;
nothing else in that database is touched. Use a database you own, never a shared test database.
"""

import argparse
import random
import resource
import statistics
import sys
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from benchmarks import throwaway  # noqa: E402 (needs the repository on the path)
from benchmarks.measure import percentile, timed  # noqa: E402

PG_SCHEMA = "piyao_bench"
PAGE = 20

# (query, extra filters): common and rare words, a phrase, one character, English inflections,
# mixed, a whole pasted message, no hit, and filters combined with a match.
# Whole forwarded messages of 2,000 characters, as a citizen pastes them (the longest the form takes).
LONG_ZH = (
    "【重要通知，请务必转发】各位亲朋好友：紧急通知！明天起全市停水三天，请大家提前储水。"
    + "听说地铁2号线下周停运，上班的朋友注意安排。接种疫苗后不要洗澡，学校下周放假，转给你关心的人🙏" * 40
)[:2000]
LONG_EN = (
    "FWD: Please share!! URGENT: the city water will be shut off for three days starting tomorrow. "
    + "My cousin says the subway closed next week and vaccines contain microchips, schools closed too. " * 30
)[:2000]
QUERIES = [
    ("疫苗", {}),
    ("地铁", {}),
    ("地铁停运", {}),
    ("自来水", {}),
    ("水", {}),
    ("停水三天", {}),
    ("vaccines", {}),
    ("vaccine microchips", {}),
    ("subway closed", {}),
    ("疫苗 vaccine", {}),
    ("紧急通知！明天起全市停水三天，请大家转发给家人", {}),
    ("量子纠缠", {}),
    ("xylophone", {}),
    ("疫苗", {"verdict": "false", "language": "zh-hans"}),
    ("school", {"verdict": "misleading", "published_after": "2024-01-01"}),
    (LONG_ZH, {}),
    (LONG_EN, {}),
]


def words(text):
    return text.split()


# Topical words (those the queries look for among them) are spread over the middle ranks of a
# Zipf-distributed vocabulary of a few thousand words, so that a topical word appears in a few
# percent of the clarifications, as in a real archive, and function words in most of them.
ZH_COMMON = words("网传 消息 不实 经 核实 该 系 请 大家 转发 表示 已经 官方 没有 一个 我们 记者 相关 目前 情况")
ZH_TOPICAL = words(
    "紧急 通知 明天 全市 停水 三天 给 家人 地铁 停运 一周 线路 调整 疫苗 接种 "
    "儿童 住院 医院 专家 视频 旧闻 台风 来袭 停课 学校 放假 教育局 通报 自来水 "
    "污染 发黄 不能 喝 水务 集团 检测 合格 小龙虾 食品 安全 市场 监管 部门 "
    "抽检 价格 上涨 猪肉 超市 抢购 社保卡 作废 链接 升级 诈骗 警方 提醒 快递 "
    "理赔 客服 冒充 高温 预警 气象台 发布 暴雨 积水 道路 封闭 施工 塌陷 医保 "
    "账户 清零 政策 解读 居民 小区 公交 票价 上调 出租车 电动车 禁止 上路 罚款 "
    "交警 违章 拍照 手机 辐射 基站 致癌 说法 缺乏 科学 依据 研究 显示 公园 "
    "关闭 动物园 老虎 逃跑 工作人员 回应 并未 发生 事件 图片 拼接 网友 注意 "
    "甄别 权威 信息"
)
ZH_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
    "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合"
    "还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只"
    "没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边"
).replace(" ", "")
EN_COMMON = words("the a of to and in is that for on with as was by this be are from at it")
EN_TOPICAL = words(
    "claim rumor video photo message shared widely social media users city officials said says "
    "vaccine vaccines vaccinated children school schools closed closing subway line service "
    "suspended week water supply contaminated tap drinking test tests safe price prices rise "
    "pork supermarket shortage card cards cancelled link scam scams police warn delivery refund "
    "heat warning storm flood road roads closure construction collapse health insurance account "
    "policy residents district park zoo tiger escaped staff confirmed did happen old footage "
    "image edited microchip microchips contain contains towers cause cancer evidence study "
    "studies shows official channel authority false misleading true partly unproven report "
    "reports government hospital doctors"
)
SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]


def vocabulary(common, topical, synthetic):
    """Common words first, then synthetic words with a topical word every 10 ranks from rank 200 on."""
    words = list(common) + synthetic[:200]
    rest = iter(synthetic[200:])
    for word in topical:
        words.append(word)
        words.extend(next(rest) for _ in range(9))
    words.extend(rest)
    return words


def make_vocabularies(rng):
    zh = {
        rng.choice(ZH_CHARS) + rng.choice(ZH_CHARS) + (rng.choice(ZH_CHARS) if rng.random() < 0.3 else "")
        for _ in range(4000)
    }
    en = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(4000)}
    zh_synthetic = sorted(zh - set(ZH_TOPICAL) - set(ZH_COMMON))
    en_synthetic = sorted(en - set(EN_TOPICAL) - set(EN_COMMON))
    rng.shuffle(zh_synthetic)
    rng.shuffle(en_synthetic)
    return vocabulary(ZH_COMMON, ZH_TOPICAL, zh_synthetic), vocabulary(EN_COMMON, EN_TOPICAL, en_synthetic)


def zipf_weights(count):
    return [1 / (rank + 1) for rank in range(count)]


def zh_sentence(rng, vocabulary, low, high):
    words, weights = vocabulary
    words = rng.choices(words, cum_weights=weights, k=rng.randint(low, high))
    return "".join(words) + rng.choice("。！，")


def en_sentence(rng, vocabulary, low, high):
    words, weights = vocabulary
    words = rng.choices(words, cum_weights=weights, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def synthetic_clarification(rng, number, zh_weights, en_weights, now):
    from clarifications.models import Clarification, Language, Status, Verdict

    if rng.random() < 0.65:
        language = Language.ZH_HANS
        title = f"网传“{zh_sentence(rng, zh_weights, 4, 8)[:-1]}”？不实"
        claim = "".join(zh_sentence(rng, zh_weights, 6, 14) for _ in range(rng.randint(1, 3)))
        truth = zh_sentence(rng, zh_weights, 8, 16)
        body = "\n\n".join(
            "".join(zh_sentence(rng, zh_weights, 6, 14) for _ in range(rng.randint(2, 5)))
            for _ in range(rng.randint(1, 4))
        )
    else:
        language = Language.EN
        title = en_sentence(rng, en_weights, 6, 12)[:-1]
        claim = " ".join(en_sentence(rng, en_weights, 10, 25) for _ in range(rng.randint(1, 2)))
        truth = en_sentence(rng, en_weights, 12, 30)
        body = "\n\n".join(
            " ".join(en_sentence(rng, en_weights, 10, 25) for _ in range(rng.randint(2, 5)))
            for _ in range(rng.randint(1, 4))
        )
    published = rng.random() < 0.95
    return Clarification(
        title=title[:200],
        claim=claim,
        truth=truth[:500],
        body=body,
        language=language,
        verdict=rng.choice(Verdict.values),
        status=Status.PUBLISHED if published else Status.DRAFT,
        published_at=now - timedelta(minutes=rng.randint(1, 5 * 365 * 24 * 60)) if published else None,
        external_id=f"bench-{number}",
    )


def generate(alias, count, seed):
    from clarifications.models import Clarification

    rng = random.Random(seed)
    zh_words, en_words = make_vocabularies(rng)
    zh_weights = (zh_words, list(accumulate(zipf_weights(len(zh_words)))))
    en_weights = (en_words, list(accumulate(zipf_weights(len(en_words)))))
    now = datetime.now(UTC)
    batch = []
    for number in range(count):
        batch.append(synthetic_clarification(rng, number, zh_weights, en_weights, now))
        if len(batch) == 2000:
            Clarification.objects.using(alias).bulk_create(batch)
            batch = []
    if batch:
        Clarification.objects.using(alias).bulk_create(batch)


def search_page(alias, query, filters):
    """What the list page does for a query: filter, count (at most 1,000), fetch the first page, snippets."""
    from clarifications import search
    from clarifications.filters import ClarificationFilter
    from clarifications.models import Clarification

    filterset = ClarificationFilter({"q": query, **filters}, queryset=Clarification.objects.using(alias).published())
    results = filterset.qs
    paginator = search.ResultPaginator(results, PAGE, capped=filterset.ranking.capped)
    page = paginator.page(1)
    rows = search.add_snippets(list(page.object_list), filterset.ranking.highlight)
    total = f"{paginator.count:,}" + ("+" if paginator.count_is_capped else "")
    return total, rows


def naive_page(alias, query, filters):
    """The first version: every word with icontains over the four fields, newest first."""
    from django.db.models import Q

    from clarifications.models import Clarification

    queryset = Clarification.objects.using(alias).published()
    for word in query.split()[:10]:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(claim__icontains=word) | Q(truth__icontains=word) | Q(body__icontains=word)
        )
    if "verdict" in filters:
        queryset = queryset.filter(verdict=filters["verdict"])
    if "language" in filters:
        queryset = queryset.filter(language=filters["language"])
    if "published_after" in filters:
        queryset = queryset.filter(published_at__date__gte=filters["published_after"])
    total = queryset.count()
    rows = list(queryset.order_by("-published_at", "-id")[:PAGE])
    return total, rows


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def index_size_mb(alias):
    from django.db import connections

    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'clarifications_search%'")
        else:
            cursor.execute(
                "SELECT pg_relation_size('clarifications_clarification_search_gin')"
                " + COALESCE(SUM(pg_column_size(search_document)), 0) FROM clarifications_clarification"
            )
        return (cursor.fetchone()[0] or 0) / 1e6


def run(alias, count, repeat, naive_repeat, seed):
    from django.core.management import call_command
    from django.db import connections

    from clarifications import search
    from clarifications.models import Clarification

    label = connections[alias].vendor
    print(f"\n== {label}: {count:,} clarifications", flush=True)
    call_command("migrate", database=alias, verbosity=0)
    elapsed, _ = timed(generate, alias, count, seed)
    print(f"generated and inserted in {elapsed / 1000:.1f} s", flush=True)

    rss_before = peak_rss_mb()
    build_ms, indexed = timed(lambda: search.rebuild_index(model=Clarification, using=alias))
    if label == "postgresql":
        with connections[alias].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE clarifications_clarification")
    print(
        f"index build: {indexed:,} rows in {build_ms / 1000:.1f} s, peak RSS {peak_rss_mb():.0f} MB "
        f"(+{peak_rss_mb() - rss_before:.0f} MB during the build), index size {index_size_mb(alias):.0f} MB",
        flush=True,
    )

    for query, filters in QUERIES:  # warm the caches once
        search_page(alias, query, filters)
    search_times, naive_times = [], []
    print(f"{'query':<28} {'hits':>7} {'search p50':>11} {'p95':>7} {'naive p50':>10} {'ratio':>7}")
    for query, filters in QUERIES:
        times = []
        for _ in range(repeat):
            elapsed, (total, _rows) = timed(search_page, alias, query, filters)
            times.append(elapsed)
        naive = [timed(naive_page, alias, query, filters)[0] for _ in range(naive_repeat)]
        search_times += times
        naive_times += naive
        name = (f"{query[:8]}… ({len(query)} chars)" if len(query) > 15 else query) + (" +filters" if filters else "")
        print(
            f"{name:<28} {total:>7} {statistics.median(times):>9.1f}ms {percentile(times, 0.95):>5.1f}ms "
            f"{statistics.median(naive):>8.1f}ms {statistics.median(naive) / statistics.median(times):>6.0f}x",
            flush=True,
        )
    summary = {
        "median": statistics.median(search_times),
        "p95": percentile(search_times, 0.95),
        "naive_median": statistics.median(naive_times),
        "naive_p95": percentile(naive_times, 0.95),
    }
    print(
        f"ALL {label}: search median {summary['median']:.1f} ms, p95 {summary['p95']:.1f} ms; "
        f"naive median {summary['naive_median']:.0f} ms, p95 {summary['naive_p95']:.0f} ms; "
        f"median ratio {summary['naive_median'] / summary['median']:.0f}x, build {build_ms / 1000:.1f} s",
        flush=True,
    )
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="synthetic clarifications (default 100,000)")
    parser.add_argument("--postgres", metavar="DATABASE_URL", help="also run on PostgreSQL, in a throwaway schema")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of each query (default 30)")
    parser.add_argument("--naive-repeat", type=int, default=3, help="timed runs of each naive scan (default 3)")
    parser.add_argument("--seed", type=int, default=20251128)
    args = parser.parse_args()

    with throwaway.databases(args.postgres, schema=PG_SCHEMA):
        if not args.no_sqlite:
            run("default", args.count, args.repeat, args.naive_repeat, args.seed)
        if args.postgres:
            with throwaway.fresh_schema("postgres", PG_SCHEMA):
                run("postgres", args.count, args.repeat, args.naive_repeat, args.seed)


if __name__ == "__main__":
    main()
