"""The inputs of ``aws logs push``: one folder per kind, each with a SourceKind (base.py) that
knows its config keys and options, opens its Source and reports on it; the table of kinds is
kinds.py. What the kinds that follow files share is tail/; stdin mode has a Source of its own
(stdin.py) and no kind."""
