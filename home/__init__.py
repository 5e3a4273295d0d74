"""The front page and the week's most asked clarifications: public pages composed from the
clarifications and the office's analytics of reports, which is why they live above both apps."""
