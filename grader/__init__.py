"""Instructors' side of crm-course: nbgrader configuration, reference
implementations the hidden tests compare against, and grading tools.

Never shipped to students (see ``python -m grader bundle``).
"""

import sys as _sys

# jsonschema (under nbformat and nbgrader) imports rfc3987-syntax when it is installed, only
# to check the "iri" string formats, and that module compiles ~35 Lark Earley parsers at
# import: 1.5-3 s in every grading process (the command, each worker, each kernel
# template), against ~0.1 s for the rest of jsonschema. No schema this course or nbgrader
# validates uses those formats (nbformat validates without a format checker), so grading
# processes do without it; jsonschema then leaves the "iri" formats unchecked, as it does
# when the package is absent. Reported upstream: python-jsonschema/jsonschema#1428,
# jupyter-server/jupyter_server#1559. Not applied if something imported it already.
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
