"""The public names of ``reglab`` are exactly its sorted ``__all__``, and each resolves."""

import reglab


def test_all_is_sorted_and_every_name_resolves():
    assert reglab.__all__ == sorted(reglab.__all__)
    for name in reglab.__all__:
        assert getattr(reglab, name) is not None, name


def test_every_public_attribute_is_exported():
    public = {n for n in dir(reglab) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(reglab, n)).__name__ == "module"}
    assert public - modules == set(reglab.__all__)
