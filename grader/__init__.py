"""Instructors' side of crm-course: nbgrader configuration, reference
implementations the hidden tests compare against, and grading tools.

Never shipped to students (see ``python -m grader bundle``).
"""
