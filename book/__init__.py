"""The self-learners' book: a static HTML site built from the course's chapters.

``python -m book`` (or ``make book``) executes every solution notebook with
Sphinx + MyST-NB, adds the glossary page and links to each student notebook,
and writes the site to ``_build/book/``, in English, with the Chinese book in
``_build/book/zh/`` (the chapters' Chinese editions) and a switch between the two
on every page; see :mod:`book.build`.
"""
