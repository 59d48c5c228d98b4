"""The collector paused while a big file's rows are made: back on when the last such block ends,
also after an error, and left off where someone else turned it off."""

from __future__ import annotations

import gc

import pytest

from bot.memory import collection_paused


def test_the_collector_is_back_on_when_the_last_pause_ends() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer export still makes its rows
    assert gc.isenabled()


def test_the_collector_is_back_on_after_an_error() -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("the database went away")
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off() -> None:
    gc.disable()
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
