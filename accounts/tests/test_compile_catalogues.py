"""`manage.py compile_catalogues`: the .po catalogues compiled to .mo with polib, no GNU gettext."""

import gettext
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: ar\n"
"Plural-Forms: nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5;\n"

msgid "Claims"
msgstr "الادعاءات"

msgctxt "verb"
msgid "Review"
msgstr "راجِع"

msgid "%(n)s source"
msgid_plural "%(n)s sources"
msgstr[0] "لا مصادر"
msgstr[1] "مصدر واحد"
msgstr[2] "مصدران"
msgstr[3] "%(n)s مصادر"
msgstr[4] "%(n)s مصدرًا"
msgstr[5] "%(n)s مصدر"

#, fuzzy
msgid "Not sure yet"
msgstr "ربما"

msgid "Not translated yet"
msgstr ""
"""


def write_po(root: Path, language: str, text: str = PO) -> Path:
    po = root / language / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(text, encoding="utf-8")
    return po


def read_mo(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def test_compile_catalogues_writes_each_po_as_mo_next_to_it(tmp_path):
    write_po(tmp_path, "ar")
    write_po(tmp_path, "ckb", PO.replace("Language: ar", "Language: ckb").replace("الادعاءات", "بانگەشەکان"))
    out = io.StringIO()

    call_command("compile_catalogues", str(tmp_path), stdout=out)

    arabic = read_mo(tmp_path / "ar" / "LC_MESSAGES" / "django.mo")
    assert arabic.gettext("Claims") == "الادعاءات"
    assert arabic.pgettext("verb", "Review") == "راجِع"
    assert [arabic.ngettext("%(n)s source", "%(n)s sources", n) for n in (0, 1, 2, 5, 11, 100)] == [
        "لا مصادر",
        "مصدر واحد",
        "مصدران",
        "%(n)s مصادر",
        "%(n)s مصدرًا",
        "%(n)s مصدر",
    ]
    # As msgfmt: a fuzzy entry is not used, an untranslated one falls back to the English.
    assert arabic.gettext("Not sure yet") == "Not sure yet"
    assert arabic.gettext("Not translated yet") == "Not translated yet"
    assert read_mo(tmp_path / "ckb" / "LC_MESSAGES" / "django.mo").gettext("Claims") == "بانگەشەکان"
    assert out.getvalue().count("compiled ") == 2
    assert not list(tmp_path.rglob("*.partial"))


def test_a_changed_po_is_compiled_again_and_one_file_can_be_named(tmp_path):
    po = write_po(tmp_path, "ar")
    call_command("compile_catalogues", str(tmp_path), stdout=io.StringIO())
    po.write_text(PO.replace("الادعاءات", "المزاعم"), encoding="utf-8")

    call_command("compile_catalogues", str(po), stdout=io.StringIO())  # as the Makefile's %.mo rule does

    assert read_mo(po.with_suffix(".mo")).gettext("Claims") == "المزاعم"


def test_a_broken_catalogue_is_an_error_naming_the_file(tmp_path):
    po = write_po(tmp_path, "ar", 'msgid "Claims"\nmsgstr "x"\nnot a keyword\n')
    with pytest.raises(CommandError, match=r"ar/LC_MESSAGES/django.po.*line 3"):
        call_command("compile_catalogues", str(po), stdout=io.StringIO())
    assert not po.with_suffix(".mo").exists()


def test_the_projects_catalogues_compile(tmp_path, settings):
    """The translators' files as they are now (copied: the real .mo files are the install step's)."""
    import shutil

    shutil.copytree(Path(settings.BASE_DIR) / "locale", tmp_path / "locale")
    call_command("compile_catalogues", str(tmp_path / "locale"), stdout=io.StringIO())
    for language in ("ar", "ckb"):
        assert (tmp_path / "locale" / language / "LC_MESSAGES" / "django.mo").stat().st_size > 0
