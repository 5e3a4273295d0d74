"""The front page (latest clarifications, the week's most asked, notices, topics) and the full "most
asked" ranking: public pages, cached, whose ranking is renewed every ``RANKING_REFRESH_SECONDS``."""

from django.shortcuts import render

from clarifications.models import Clarification, Notice, Topic
from clarifications.pagecache import public_page
from tips.analytics import popularity

HOME_LATEST = 8
HOME_MOST_ASKED = 5
MOST_ASKED = 20


@public_page(refresh=popularity.RANKING_REFRESH_SECONDS)
def index(request):
    context = {
        "latest": Clarification.objects.published().for_cards()[:HOME_LATEST],
        "most_asked": popularity.most_asked(HOME_MOST_ASKED),
        "notices": Notice.objects.published()[:3],
        "topics": Topic.objects.in_use(),
    }
    return render(request, "home/index.html", context)


@public_page(refresh=popularity.RANKING_REFRESH_SECONDS)
def most_asked(request):
    ranking = popularity.most_asked(MOST_ASKED)
    return render(request, "home/most_asked.html", {"ranking": ranking, "days": popularity.DAYS})
