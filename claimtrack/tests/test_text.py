from claimtrack.lib.text import has_unstorable_characters, storable_text


def test_storable_text_drops_nul_and_lone_surrogates_and_keeps_everything_else():
    assert storable_text("Kir\x00kuk \ud800news\udfff") == "Kirkuk news"
    assert storable_text("كركوك\t\n🙂 «é»") == "كركوك\t\n🙂 «é»"
    assert storable_text(None) == ""
    assert storable_text("\ud83d\ude42".encode("utf-16", "surrogatepass").decode("utf-16")) == "🙂"


def test_unstorable_characters_are_detected():
    assert has_unstorable_characters("a\x00b")
    assert has_unstorable_characters("a\udc80b")  # what errors="surrogateescape" leaves of a bad byte
    assert not has_unstorable_characters("plain 🙂")
    assert not has_unstorable_characters("")
