"""People in the database: users and their messenger addresses, regions, the audit log of staff
actions, and joining two messengers into one profile."""
