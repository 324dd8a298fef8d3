"""Every ingested revision stores the language of its title and text (claimtrack.lib.languages),
else the language its page declared; a document without a language takes its revision's."""

import io
from xml.sax.saxutils import escape

import pytest
from django.core.cache import cache
from django.core.management import call_command

from sources import ingestion
from sources.models import Document, DocumentRevision
from sources.services import record_revision
from tests.factories import DocumentFactory, FeedFactory
from tests.httpserver import LoopbackServer
from tests.web_pages import rss

# transaction=True: `ingest` fetches articles on several threads, each with its own connection.
pytestmark = pytest.mark.django_db(transaction=True)

SORANI_TITLE = "پۆلیسی فیدراڵ بنکەکانی لە کەرکووک چۆڵ کرد"
SORANI = [
    "میدیا ناوخۆییەکان ڕۆژی هەینی ڕایانگەیاند کە یەکەکانی پۆلیسی فیدراڵ پێش هێرشێکی چاوەڕوانکراو بنکەکانیان "
    "لە کەرکووک چۆڵ کردووە، بە پشتبەستن بە دانیشتووان و ئەو وێنانەی لە تۆڕە کۆمەڵایەتییەکان بڵاوکراونەتەوە.",
    "دەزگاکە گوتی نەیتوانیوە بە شێوەیەکی سەربەخۆ ڕاستی وێنەکان بسەلمێنێت، کە بازگەی چۆڵیان لە درێژایی ڕێگا "
    "سەرەکییەکەی باشووری شارەکە نیشان دەدا.",
    "ڕۆژی شەممە وەزارەتی بەرگری ڕاپۆرتەکانی بە ساختە ناوبرد و ڕایگەیاند کە هیچ کشانەوەیەک ڕووی نەداوە و "
    "یەکەکان لە شوێنی خۆیان ماونەتەوە.",
]
ARABIC_TITLE = "الشرطة الاتحادية تنسحب من مواقعها في كركوك"
ARABIC = [
    "أفادت وسائل إعلام محلية يوم الجمعة بأن وحدات من الشرطة الاتحادية انسحبت من مواقعها في كركوك تحسبا لهجوم "
    "متوقع، نقلا عن سكان وصور نشرت على مواقع التواصل الاجتماعي.",
    "وقالت الوسيلة الإعلامية إنها لم تتمكن من التحقق بشكل مستقل من الصور التي أظهرت نقاط تفتيش خالية على "
    "الطريق الرئيسي المؤدي إلى المدينة من الجنوب.",
    "ووصفت وزارة الدفاع يوم السبت التقارير بأنها مفبركة، وقالت إنه لم يحدث أي انسحاب وإن الوحدات ما زالت في "
    "مواقعها في أنحاء المحافظة.",
]


@pytest.fixture(autouse=True)
def fetch_settings(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_HOST_INTERVAL = 0
    settings.FETCH_TIMEOUT = 10
    settings.INGEST_PROCESSES = 1
    cache.clear()


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def page(title, paragraphs, lang=None):
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    lang_attribute = f' lang="{lang}"' if lang else ""
    return (
        f"<!doctype html><html{lang_attribute}><head><title>{escape(title)}</title></head><body>"
        f"<nav>Home | World | Sport</nav><article><h1>{escape(title)}</h1>{body}</article>"
        f"<footer>Copyright the newsroom</footer></body></html>"
    ).encode()


def ingest(server, title, paragraphs, lang=None) -> Document:
    url = server.add("/a", page(title, paragraphs, lang))
    FeedFactory(url=server.add("/feed.xml", rss([(url, title)])))
    call_command("ingest", "--once", stdout=io.StringIO())
    return Document.objects.get()


def test_an_ingested_sorani_article_declared_arabic_is_stored_as_central_kurdish(server):
    # Kurdish sites often declare their pages Arabic: the text decides.
    document = ingest(server, SORANI_TITLE, SORANI, lang="ar")
    assert document.revisions.get().language == "ckb"
    assert document.language == "ar"  # the page's own declaration stays the document's


def test_a_document_without_a_declared_language_takes_its_first_revisions(server):
    document = ingest(server, SORANI_TITLE, SORANI)
    assert document.revisions.get().language == "ckb"
    assert document.language == "ckb"


def test_a_rewrite_in_another_language_is_a_revision_in_that_language(server):
    document = ingest(server, ARABIC_TITLE, ARABIC)
    server.add("/a", page(SORANI_TITLE, SORANI))
    assert ingestion.recheck_document(document_id=document.pk).new_revision
    assert list(document.revisions.order_by("fetched_at").values_list("language", flat=True)) == ["ar", "ckb"]
    document.refresh_from_db()
    assert document.language == "ar"  # filled once, from the first revision


def test_a_revision_too_short_to_tell_falls_back_to_the_declared_page_language():
    document = DocumentFactory(language="")
    revision = record_revision(document=document, title="", text="12:30 — OK", page_language="en-US")
    assert revision.language == "en"
    document.refresh_from_db()
    assert document.language == "en"


def test_without_a_declaration_a_short_revision_takes_the_documents_language():
    document = DocumentFactory(language="tr")
    assert record_revision(document=document, title="", text="Video: 12:30").language == "tr"
    assert record_revision(document=document, title="", text="Foto").language == "tr"


def test_an_undetectable_revision_without_any_declared_language_has_none():
    document = DocumentFactory(language="")
    revision = record_revision(document=document, title="", text="12:30", page_language="not a language tag")
    assert revision.language == ""
    assert Document.objects.get(pk=document.pk).language == ""


def test_a_revision_language_is_detected_from_its_title_and_text():
    revision = record_revision(document=DocumentFactory(language="en"), title=ARABIC_TITLE, text=" ".join(ARABIC))
    assert revision.language == "ar"
    assert DocumentRevision.objects.get(pk=revision.pk).language == "ar"
