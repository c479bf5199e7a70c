"""The first sentence of a bottom line, as summaries and emails quote it."""

import pytest

from editorial.markdown import first_sentence


@pytest.mark.parametrize(
    ("source", "sentence"),
    [
        (
            "Ship with **Alpha** if you are in a hurry. Otherwise wait.",
            "Ship with Alpha if you are in a hurry.",
        ),
        ("Version 2.5 is out. It is faster.", "Version 2.5 is out."),
        (
            "It costs $5.00 a month (really.) Then more.",
            "It costs $5.00 a month (really.)",
        ),
        ('She said "go." Then left.', 'She said "go."'),
        ("Tom & Jerry win! Both of them.", "Tom & Jerry win!"),
        ("### A heading\n\nThe first paragraph. The second.", "The first paragraph."),
        ("No full stop at all", "No full stop at all"),
        (
            "<script>alert(1)</script> Plain words.",
            "<script>alert(1)</script> Plain words.",
        ),
        ("", ""),
    ],
)
def test_first_sentence(source, sentence):
    assert first_sentence(source) == sentence
