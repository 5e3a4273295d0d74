"""The office's work on reports: one lifecycle for every report whatever its channel, the rumor groups
(grouping, merging, splitting), answers and their e-mails, drafts started from reports, and the purge
of what is not kept. Imports the report models and the clarifications; never intake or the admin.
"""
