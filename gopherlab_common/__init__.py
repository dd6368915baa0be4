"""Plumbing shared by the gopherlab libraries (:mod:`pprof_parse`, :mod:`gobench`, :mod:`gopherlab`).

Small things every package needs the same way, kept here so that the
libraries do not import each other for them:

- :mod:`.lazy`: the one lazy-import mechanism (heavy optional modules such as
  pandas are imported on first attribute access, nothing else happens);
- :mod:`.engine`: the ``GOPHERLAB_ENGINE`` switch between the fast paths and
  the plain reference paths;
- :mod:`.inputs`: the rules every reader shares for taking a source or ``text=``.

Importing this package imports nothing but the standard library.

Its one error stays beside the switch it is about, in :mod:`.engine` (the package
is too small for an ``errors`` module)::

    ValueError
    └── EngineSettingError    GOPHERLAB_ENGINE holds a value other than fast,
                              reference or empty (the message names the variable)

It is not part of the libraries' own trees (:mod:`pprof_parse.errors`,
:mod:`gobench.errors`): every library reads the switch through
:func:`.engine.reference_engine`, so each raises this same class.
"""
