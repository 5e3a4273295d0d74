"""The office's analytics: how hot a rumor is (``heat``), reports and clarifications over time
(``trends``, drawn by ``charts``), the work waiting on the admin index (``dashboard``) and what the
public most asks about this week (``popularity``). Reads; never writes a report."""
