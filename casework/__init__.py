"""The case-work domain: reports, the inbox, the case file, people. Speaks the policy's words."""
