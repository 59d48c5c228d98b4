"""Micro-grants: the application wizard and its parts (steps, dates, costs, terms, summary,
submission), the applicant's own list, staff review, the report after the project, and the
programme's figures."""
