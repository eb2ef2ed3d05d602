"""nbgrader configuration of crm-course: the repository is the course root.

solutions/NN_topic/NN_topic.ipynb  (instructors' source: solutions + hidden tests)
   --nbgrader generate_assignment-->  chapters/NN_topic/NN_topic.ipynb  (what students get)
Submissions, autograded copies, feedback and gradebook.db are instructor-side
state next to this file and are never committed (see .gitignore).
"""

from pathlib import Path

c = get_config()  # noqa: F821  (injected by traitlets)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "crm-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "chapters"
# Course data and helper code are found through crm_lab, not copied per chapter.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# The gradebook: SQLite in gradebook.db next to this file, unless another SQLAlchemy URL is
# given here (large classes, several graders at once), e.g. PostgreSQL
# (pip install -e .[postgres]; the database must exist, nbgrader creates the tables):
# c.CourseDirectory.db_url = "postgresql+psycopg://grader@db.example.edu/crm_course"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A cell that runs longer than this is stopped and counts as failed; a whole
# chapter runs in seconds, so two minutes only catches endless loops.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# `python -m grader grade` forks each kernel from a template that has already imported
# every module the chapters' notebooks import (read from solutions/ at grade time).
# Modules a class's answers often import beyond those can be added here:
# c.RobustExecute.preload_modules = ["statsmodels.api"]
