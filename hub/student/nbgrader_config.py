"""nbgrader settings of a student's single-user server on the course hub.

Found through JUPYTER_CONFIG_PATH, which the hub's spawner points here for everyone
outside the instructors' group (hub/jupyterhub_config.py). A student only fetches,
validates and submits, so all nbgrader needs is where the exchange is and which course.
"""

import os

c = get_config()  # noqa: F821  (injected by traitlets)

c.CourseDirectory.course_id = "crm-course"
c.Exchange.root = os.environ.get("CRM_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
