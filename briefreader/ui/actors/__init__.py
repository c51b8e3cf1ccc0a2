"""The actor workbench (issue 15): one actor's page and the candidate actors, in the window."""
