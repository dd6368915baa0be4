"""Plumbing shared by the gopherlab libraries (:mod:`pprof_parse`, :mod:`gobench`, :mod:`gopherlab`).

Two small things every package needs the same way, kept here so that the
libraries do not import each other for them:

- :mod:`.lazy`: the one lazy-import mechanism (heavy optional modules such as
  pandas are imported on first attribute access, nothing else happens);
- :mod:`.engine`: the ``GOPHERLAB_ENGINE`` switch between the fast paths and
  the plain reference paths.

Importing this package imports nothing but the standard library.
"""
