"""Two editors ruling on the same claim at the same moment cannot both win silently."""

import threading

import pytest
from django.db import connection

from claims import services
from claims.models import Claim, ClaimStatus, StatusChange
from tests.factories import EditorFactory, JournalistFactory, make_claim

pytestmark = pytest.mark.django_db(transaction=True)


def test_second_of_two_simultaneous_status_changes_gets_a_conflict():
    claim = make_claim(created_by=JournalistFactory())
    editors = [EditorFactory(), EditorFactory()]
    start = threading.Barrier(2)
    outcomes = {}

    def rule(editor, to_status):
        try:
            start.wait()
            services.change_status(
                claim=claim.pk,
                to_status=to_status,
                rationale=f"{editor.username} decided",
                changed_by=editor,
                expected_status=ClaimStatus.UNVERIFIED,
            )
            outcomes[to_status] = "won"
        except services.StatusConflict as conflict:
            outcomes[to_status] = conflict.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=rule, args=(editors[0], ClaimStatus.FALSE)),
        threading.Thread(target=rule, args=(editors[1], ClaimStatus.CONFIRMED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values(), key=lambda o: o != "won")[0] == "won"
    [(winner, _)] = [(status, o) for status, o in outcomes.items() if o == "won"]
    [loser_message] = [o for o in outcomes.values() if o != "won"]
    assert "changed" in loser_message and "reload" in loser_message
    assert Claim.objects.get(pk=claim.pk).status == winner
    assert StatusChange.objects.filter(claim_id=claim.pk).count() == 2  # the initial row and the winner's
