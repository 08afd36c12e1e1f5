"""Short views of long in-domain texts: their question sentences as training texts of their own."""

from __future__ import annotations

import pytest

from gqr.train._dataset import build, question_sentences

POST = (
    "My landlord sent me a letter last week saying that I have to leave the apartment by the end of the month. "
    "I have lived here for six years and always paid on time, and the lease runs until next summer. "
    "What should I do? Can my landlord evict me before the lease ends without going to court? "
    "Also, is it legal for him to keep my security deposit if I leave early? Is this normal?"
)


def test_question_sentences_keep_domain_questions_of_long_texts_only() -> None:
    assert question_sentences(POST) == [
        "Can my landlord evict me before the lease ends without going to court?",
        "Also, is it legal for him to keep my security deposit if I leave early?",
    ]
    assert question_sentences("Can my landlord evict me before the lease ends without going to court?") == []
    generic = POST.replace("Can my landlord evict me", "Can anyone help me").replace("legal", "fine")
    assert "What should I do?" not in question_sentences(generic)


@pytest.mark.slow
def test_question_views_add_labelled_in_domain_sentences() -> None:
    plain = build("train", "guarded")
    viewed = build("train", "guarded", question_views=True)
    assert viewed.texts[: len(plain)] == plain.texts
    views = range(len(plain), len(viewed))
    assert len(views) > 3000
    assert all(viewed.datasets[i].endswith(":question") and viewed.labels[i] != "ood" for i in views)
    assert all(viewed.texts[i].endswith("?") for i in views)
    assert len(set(viewed.texts)) == len(viewed.texts)


def test_cards_count_written_generated_and_derived_texts() -> None:
    import numpy as np

    from gqr.train import LabelledSet
    from gqr.train._pipeline import written_or_generated

    names = ["reddit_top_law", "team_short_questions", "reddit_top_law:title", "lse_odsc_synthetic:question"]
    names += ["team_harm", "team_harm", "fiqa_questions", "uk_legal_qa"]
    data = LabelledSet(
        texts=[str(i) for i in range(len(names))],
        targets=np.zeros(len(names), dtype=np.int64),
        outputs=("law", "finance", "healthcare"),
        labels=["law"] * len(names),
        reasons=[None] * len(names),
        datasets=names,
    )
    assert written_or_generated(data) == {
        "lse_odsc_synthetic:question": 1,
        "reddit_top_law:title": 1,
        "team_harm": 2,
        "team_short_questions": 1,
        "uk_legal_qa": 1,
    }


def test_unsafe_suffixes_append_a_short_unsafe_text_to_a_short_in_domain_text() -> None:
    import numpy as np

    from gqr.data import Example
    from gqr.train._dataset import _suffixed

    pool = [
        Example("Can my landlord keep my deposit?", "law", "toy_law"),
        Example(" ".join(["long"] * 80), "finance", "toy_long"),  # too long to host a suffix
        Example("you worthless idiot", "ood", "toy_abuse", "unsafe"),
        Example("What is the capital of France?", "ood", "toy_general", "off_topic"),
    ]
    views = _suffixed(pool, 5, np.random.default_rng(0))
    assert len(views) == 5
    assert {v.text for v in views} == {"Can my landlord keep my deposit? you worthless idiot"}
    assert all((v.label, v.reason, v.dataset) == ("ood", "unsafe", "toy_abuse:suffix") for v in views)
    assert _suffixed(pool[:2], 5, np.random.default_rng(0)) == []  # no unsafe text: nothing to append
