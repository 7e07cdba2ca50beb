"""Hypothesis strategies the backup routes' clients are tested with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, settings, strategies as st

# The Home Assistant plugin gives every test function-scoped fixtures these
# tests never use; each example builds what it needs itself.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def json_values(
    field_names: Sequence[str], odd_texts: Sequence[str]
) -> st.SearchStrategy[Any]:
    """Any JSON value, its objects keyed mostly by the API's field names."""
    names = st.sampled_from(field_names) | st.text(max_size=8)
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from(odd_texts),
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(names, children, max_size=5)
        ),
        max_leaves=16,
    )


def mutated(value: object, noise: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value, with now and then a part replaced by `noise`, dropped, or turned to text."""
    if isinstance(value, dict):
        parts = {key: mutated(item, noise) for key, item in value.items()}
        whole = st.fixed_dictionaries(parts)
        some = st.fixed_dictionaries({}, optional=parts)
        # One object in four loses some keys.
        kept: st.SearchStrategy[Any] = st.integers(0, 3).flatmap(
            lambda n: some if n == 0 else whole
        )
    elif isinstance(value, list):
        kept = st.tuples(*(mutated(item, noise) for item in value)).map(list)
    else:
        kept = st.just(value)
    changed = noise | st.just(str(value)) | st.just(f" {value} ")
    # About one part in ten is changed: deep parts stay reachable.
    return st.integers(0, 9).flatmap(lambda n: changed if n == 0 else kept)


def printable_keys() -> st.SearchStrategy[str]:
    """API keys: visible ASCII, at least 24 characters, as the providers' are.

    seven's have 64. A short one could be a word of the client's own messages
    ("SevenRes") or of the redaction marker, and seem to leak.
    """
    return st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=24
    )
