"""nbgrader settings of an instructor's single-user server on the course hub.

Found through JUPYTER_CONFIG_PATH (hub/jupyterhub_config.py points instructors here). The
server opens on the course root, so the course's own nbgrader_config.py is read after this
file, by Formgrader as by ``python -m grader``: the gradebook is whatever its
``c.CourseDirectory.db_url`` says; with more than one grader, a PostgreSQL URL there (README).
"""

import os

c = get_config()  # noqa: F821  (injected by traitlets)

c.CourseDirectory.course_id = "crm-course"
c.Exchange.root = os.environ.get("CRM_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
