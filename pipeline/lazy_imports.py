"""Import spaCy without its command line, so that a short run starts fast.

``import spacy`` runs ``from .cli.info import info``, and ``spacy.cli``
imports every spaCy command and what they use (weasel, typer, httpx,
requests, jinja2, the project templates): about 0.15 s of every start
(``python -X importtime``, measured on this project's VM), none of it used by
this pipeline. :func:`install` puts a finder on ``sys.meta_path`` that, while
spaCy is imported, loads ``spacy.cli`` and ``spacy.cli.info`` as stand-ins:
``spacy.cli`` has the real package's ``__path__`` (so ``import
spacy.cli.download`` still finds its file), and the first look-up of any
other name on either stand-in (``spacy.cli.download``, ``spacy.info()``)
imports the real ``spacy.cli`` and answers from it. So nothing that uses
spaCy's command line behaves differently; it only pays for it when it does.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types

_CLI = "spacy.cli"
_INFO = "spacy.cli.info"
_active = False


def install() -> None:
    """Defer ``spacy.cli`` until something uses it (no effect once spaCy is imported).

    Idempotent; safe to call before or after spaCy is imported: if spaCy
    (or its command line) is already in ``sys.modules`` nothing changes.
    """
    global _active
    if _active or "spacy" in sys.modules or _CLI in sys.modules:
        return
    _active = True
    sys.meta_path.insert(0, _Finder())


def _real_cli() -> types.ModuleType:
    """Import the real ``spacy.cli`` (once), in place of the stand-ins, and return it."""
    global _active
    module = sys.modules.get(_CLI)
    if module is not None and not isinstance(module, _StandIn):
        return module
    _active = False  # the finder stands aside from now on
    stand_ins = {name: sys.modules.pop(name) for name in (_CLI, _INFO) if isinstance(sys.modules.get(name), _StandIn)}
    try:
        real = importlib.import_module(_CLI)
    except BaseException:
        sys.modules.update(stand_ins)
        raise
    spacy = sys.modules.get("spacy")
    if spacy is not None:
        spacy.cli = real
    return real


class _StandIn(types.ModuleType):
    """``spacy.cli`` or ``spacy.cli.info`` before its real import: any missing name imports it."""

    def __setattr__(self, name: str, value) -> None:
        # the import system binds each submodule imported under the stand-in
        # (``import spacy.cli.download``); the real package binds that name to the
        # function of the same name, so the stand-in leaves it to the real one
        if self.__name__ == _CLI and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        real = _real_cli()
        target = real if self.__name__ == _CLI else sys.modules[_INFO]
        return getattr(target, name)


def _info(*args, **kwargs):
    """``spacy.info``: spaCy's own, imported when first called."""
    return _real_cli().info(*args, **kwargs)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``spacy.cli`` and ``spacy.cli.info`` as stand-ins while the real ones are not wanted."""

    def find_spec(self, fullname, path, target=None):
        if not _active or fullname not in (_CLI, _INFO):
            return None
        real = importlib.machinery.PathFinder.find_spec(fullname, path)
        if real is None:
            return None
        spec = importlib.machinery.ModuleSpec(fullname, self, origin=real.origin,
                                              is_package=real.submodule_search_locations is not None)
        if real.submodule_search_locations is not None:
            spec.submodule_search_locations = list(real.submodule_search_locations)
        return spec

    def create_module(self, spec):
        return _StandIn(spec.name)

    def exec_module(self, module) -> None:
        if module.__name__ == _INFO:
            module.info = _info
